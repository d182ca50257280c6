"""The provider's own sign-in (a small page with a form, so the tests can
sign in as a browser would, with requests or in Chromium) and
django-oauth-toolkit's OAuth 2 / OIDC endpoints under /o/."""

from django.contrib.auth import authenticate, login
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

SIGN_IN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>School accounts</title></head>
<body><main><h1>Sign in to your school account</h1>
<form method="post" action="/login/"><input type="hidden" name="next" value="%(next)s">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
<p><button type="submit">Sign in</button></p></form></main></body></html>"""


@csrf_exempt
def sign_in(request):
    if request.method != "POST":
        return HttpResponse(SIGN_IN_PAGE % {"next": escape(request.GET.get("next", "/"))})
    user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return HttpResponse("wrong username or password", status=401, content_type="text/plain")
    login(request, user)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return HttpResponseRedirect(next_url)


def ready(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("login/", sign_in),
    path("ready/", ready),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
