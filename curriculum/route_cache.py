"""Page routes kept between requests, for signed-in visitors too.

Before Wagtail serves a page it finds the site, the localized home page and
the page for the path (four or five queries), its privacy hook reads the
view restrictions of every ancestor (two more), and page URLs need the site
root paths (a cache read). None of that depends on the visitor, so the
result is kept per host, language and path: a copy of the
page with only its own fields, warmed with what every view of it reads (a
lesson's module and next lesson, the view restrictions), tagged with the
content generation. Publishing, unpublishing, moving or deleting a page,
changing a privacy setting or a site moves the generation on
(curriculum.page_cache), and every stored route retires at once.

Wagtail reads ``request._wagtail_site`` and ``request._wagtail_route_for_request``
when they are set, so a stored route is handed over through them. Who may
open the page is still decided by the page's own ``serve`` at every request.
"""

import copy

from django.core.cache import cache
from django.utils.translation import get_language
from wagtail.views import serve as wagtail_serve

from accounts.permissions import accept_roles, roles_cache_key

from .page_cache import GENERATION_KEY, TIMEOUT, generation, use_generation

_PENDING = "_route_cache_key"


def route_key(host: str, language: str, path: str) -> str:
    return f"page-route:v2:{host}:{language}:{path}"


def _key(request) -> str:
    return route_key(request.get_host(), get_language(), request.path_info)


def _stored_copy(page):
    """The page with its own field values only: nothing a view of it may
    have hung on the instance for one visitor travels to the next."""
    clean = copy.copy(page)
    fields = {f.attname for f in page._meta.concrete_fields}
    clean.__dict__ = {name: value for name, value in page.__dict__.items() if name in fields}
    clean._state = copy.copy(page._state)
    clean._state.fields_cache = {}
    clean.warm_for_route_cache(page)
    return clean


class PageRouteCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
            pending = getattr(request, _PENDING, None)
            route = getattr(request, "_wagtail_route_for_request", None)
            if pending and route is not None and hasattr(route[0], "warm_for_route_cache"):
                # Tagged with the generation read before routing: a page
                # published meanwhile cannot be stored as current.
                key, tag = pending
                page, args, kwargs = route
                entry = (
                    tag,
                    request._wagtail_site,
                    (_stored_copy(page), args, kwargs),
                    page._get_site_root_paths(request),
                )
                cache.set(key, entry, TIMEOUT)
            return response
        finally:
            use_generation(None)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_serve or request.method not in ("GET", "HEAD", "POST"):
            return None
        key = _key(request)
        # One round trip: the route, the generation and the visitor's roles.
        roles_key = roles_cache_key(request.user)
        found = cache.get_many([key, GENERATION_KEY, *([roles_key] if roles_key else [])])
        if roles_key:
            accept_roles(request.user, found.get(roles_key))
        current = found.get(GENERATION_KEY)
        if current is None:
            current = generation()
        # The rest of the request (lesson bodies, help lines) reads this one.
        use_generation(current)
        entry = found.get(key)
        if entry is not None and entry[0] == current:
            _tag, request._wagtail_site, request._wagtail_route_for_request, root_paths = entry
            request._wagtail_cached_site_root_paths = root_paths
        else:
            setattr(request, _PENDING, (key, current))
        return None
