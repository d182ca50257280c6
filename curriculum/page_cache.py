"""The anonymous page cache and the content generation number.

Lesson, module and section pages look the same to every visitor who is not
signed in, so their HTML is kept per language and path. The CSRF token of
the quiz form is swapped for a placeholder before storing and for the
visitor's own token when serving. Publishing, unpublishing, moving or
deleting any page, changing its privacy or a site, or saving a legal fact or
help resource moves the generation on, which retires every stored page,
page route and rendered lesson body at once.
"""

import re
from contextvars import ContextVar

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from accounts.middleware import strip_language
from edu_platform.cache import invalidations_lost

GENERATION_KEY = "curriculum:content-generation"
TIMEOUT = 60 * 60 * 24

# The generation read once at the start of a page request (curriculum.route_cache).
_request_generation: ContextVar[int | None] = ContextVar("content_generation", default=None)


def generation() -> int:
    current = _request_generation.get()
    if current is not None:
        return current
    return cache.get_or_set(GENERATION_KEY, 1, None)


def use_generation(value: int | None) -> None:
    _request_generation.set(value)


def bump_generation() -> None:
    _request_generation.set(None)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


CSRF_PLACEHOLDER = "__csrf_token_placeholder__"
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_EXCLUDED = ("/accounts/", "/cms/", "/manage-site/", "/report/", "/healthz")


@receiver([page_published, page_unpublished, post_page_move])
@receiver([post_save, post_delete], sender=PageViewRestriction)
@receiver([post_save, post_delete], sender=Site)
def _pages_changed(**kwargs):
    bump_generation()


@receiver(invalidations_lost)
def _cache_back_after_lost_invalidations(**kwargs):
    """A publish while Redis was away could not retire the old pages."""
    bump_generation()


@receiver(post_delete)
def _page_deleted(sender, **kwargs):
    if issubclass(sender, Page):
        bump_generation()


def mark_cacheable(request) -> None:
    """Called by page views whose HTML does not depend on the visitor."""
    request.anonymous_page_cacheable = True


def _cache_key(request) -> str:
    return f"anon-page:{generation()}:{get_language()}:{request.path}"


def _eligible(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.GET or request.user.is_authenticated:
        return False
    return not strip_language(request.path).startswith(_EXCLUDED)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        key = _cache_key(request)
        cached = cache.get(key)
        if cached is not None:
            content = cached.replace(CSRF_PLACEHOLDER, get_token(request))
            response = HttpResponse(content, content_type="text/html; charset=utf-8")
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(request, "anonymous_page_cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies.get("sessionid")
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            html = _CSRF_VALUE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode())
            cache.set(key, html, TIMEOUT)
            response.headers["X-Page-Cache"] = "miss"
        return response
