"""Headers every response carries: a content security policy that allows no
third-party origin, and no caching of anything personal. And the refusal of
addresses that hold a NUL character."""

from urllib.parse import unquote_plus

from django.utils.cache import add_never_cache_headers, patch_vary_headers

from .views import bad_request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Wagtail's editor needs inline styles and scripts of its own; it is still
# limited to this origin.
CMS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
STAFF_PREFIXES = ("/cms/", "/manage-site/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        staff_area = request.path.startswith(STAFF_PREFIXES)
        policy = CMS_CSP if staff_area else CSP
        # A page whose form leads to another origin on purpose (the login page's
        # school-account buttons: the sign-in redirects to the office's identity
        # provider) names those origins; browsers check form-action on redirects.
        extra = " ".join(sorted(set(getattr(request, "csp_form_action", ()))))
        if extra:
            policy = policy.replace("form-action 'self'", f"form-action 'self' {extra}")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        user = getattr(request, "user", None)
        private = getattr(request, "private_page", False) or (user is not None and user.is_authenticated)
        if private and "Cache-Control" not in response.headers:
            add_never_cache_headers(response)
            response.headers["Cache-Control"] = "no-store, " + response.headers["Cache-Control"]
        if user is not None and user.is_authenticated:
            patch_vary_headers(response, ("Cookie",))
        return response


class RefuseNulInAddressMiddleware:
    """Answers 400, in the page's language, to an address holding a NUL
    character (%00). No address of the platform has one, and a view that
    handed it to PostgreSQL (a school code, a certificate code) would fail
    with a server error: PostgreSQL text cannot contain NUL. Form fields are
    covered by Django's own check; this covers paths and query strings.
    Comes after LocaleMiddleware, so that the language is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote_plus(request.META.get("QUERY_STRING", "")):
            return bad_request(request)
        return self.get_response(request)
