"""URL configuration. Public and personal pages are under i18n_patterns:
Korean at the root, English under /en/. The CMS, Django's admin (renamed,
superusers only) and the health check have no language prefix."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from . import views


def _superuser_only(request):
    return request.user.is_active and request.user.is_superuser


def _admin_login(request, extra_context=None):
    # Django's admin uses the same protected login (rate limit, MFA) as the rest.
    return redirect_to_login(request.get_full_path())


admin.site.has_permission = _superuser_only
admin.site.login = _admin_login
admin.site.site_header = "Safe Together — site administration"

handler400 = "edu_platform.views.bad_request"  # also answers 413 for a body over the size limit
handler403 = "edu_platform.views.permission_denied"
handler404 = "edu_platform.views.page_not_found"
handler500 = "edu_platform.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    # The CMS has no login form of its own: everyone uses the one protected login.
    path("cms/login/", views.cms_login_redirect, name="cms_login"),
    path("cms/password_reset/", views.cms_login_redirect, name="cms_password_reset"),
    path("cms/", include(wagtailadmin_urls)),
    path("manage-site/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("help/", views.help_page, name="help"),
    path("", include("accounts.urls")),
    path("", include("classroom.urls")),
    path("", include("families.urls")),
    path("", include("districts.urls")),
    path("", include("incidents.urls")),
    path("", include("live.urls")),
    path("", include("curriculum.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
