"""The login page's "sign in with your school account" buttons, one per
education office that switched it on."""

from urllib.parse import urlsplit

from django import template

from ..models import IdentityProvider
from ..signin import login_url

register = template.Library()


@register.inclusion_tag("districts/school_account_buttons.html", takes_context=True)
def school_account_buttons(context):
    providers = (
        IdentityProvider.objects.filter(enabled=True).select_related("district", "app").order_by("district__name")
    )
    buttons = [(p.district.name, login_url(p.app.provider_id)) for p in providers]
    request = context.get("request")
    if request is not None and buttons:
        # The button posts here, and the answer redirects to the provider.
        request.csp_form_action = [*getattr(request, "csp_form_action", ()), *_origins(providers)]
    return {"buttons": buttons, "request": context.get("request"), "csrf_token": context.get("csrf_token")}


def _origins(providers) -> list[str]:
    origins = []
    for provider in providers:
        parts = urlsplit(provider.app.settings.get("server_url", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins
