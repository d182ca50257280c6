"""The public address printed on cards and posters and written in emails.

``SITE_URL`` when it is set (production must set it: settings/production.py).
Without it, on a developer's machine, the address the request came in on, so
that cards printed from a server on :8101 or a laptop's LAN address point
back to that server. Work with no request (emails from tasks) falls back to
the address ``make run`` serves on.
"""

from __future__ import annotations

from django.conf import settings

# Where `make run` serves; used only without SITE_URL and without a request.
DEV_ADDRESS = "http://127.0.0.1:8000"


def public_base_url(request=None) -> str:
    """Scheme, host and port, without a trailing slash."""
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return DEV_ADDRESS


def public_url(path: str, request=None) -> str:
    """An absolute address of a path of this platform."""
    return public_base_url(request) + path
