"""The provider's own sign-in (a form post, so the tests can sign in as a
browser would) and django-oauth-toolkit's OAuth 2 / OIDC endpoints under /o/."""

from django.contrib.auth import authenticate, login
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def sign_in(request):
    if request.method != "POST":
        return HttpResponse("sign in by POST", content_type="text/plain")
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
