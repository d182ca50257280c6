"""Project-wide views: health check, help page, error pages."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from kombu import Connection


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:  # noqa: BLE001 - any failure means "down" for the probe
        return False


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return "in-process"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:  # noqa: BLE001
        return "down"


def ping(request):
    """The trivial view that benchmarks compare every page with."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def healthz(request):
    """200 while the database answers; the broker is reported but a broker
    outage does not fail the probe (reports are kept in the outbox)."""
    database = "ok" if _database_ok() else "down"
    body = {"database": database, "broker": _broker_state()}
    return JsonResponse(body, status=200 if database == "ok" else 503)


def cms_login_redirect(request):
    return redirect_to_login(request.GET.get("next", "/cms/"))


def help_page(request):
    return render(request, "help.html")


def bad_request(request, exception=None):
    """400, except for a body over DATA_UPLOAD_MAX_MEMORY_SIZE: Django calls
    that a bad request, but the person should read that it was too large
    (413), in their language, and that nothing was saved."""
    too_large = isinstance(exception, RequestDataTooBig)
    response = render(request, "413.html" if too_large else "400.html", status=413 if too_large else 400)
    response.headers["Cache-Control"] = "no-store"
    return response


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
