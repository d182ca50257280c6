"""Creates the Wagtail site: locales, the Korean home page and its English
translation. Idempotent, so seed_demo and load_curriculum can both call it."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage


@transaction.atomic
def ensure_site() -> HomePage:
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code, _ in settings.LANGUAGES}
    source = locales[settings.LANGUAGE_CODE]
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale=source).first()
    if home is None:
        # Wagtail's first migration leaves a "Welcome" page at the site root.
        Page.objects.filter(depth=2).exclude(locale__in=locales.values()).delete()
        for welcome in Page.objects.filter(depth=2, slug="home").exclude(content_type__model="homepage"):
            welcome.delete()
        home = HomePage(title="함께 지키는 안전", slug="home", locale=source)
        root.add_child(instance=home)
        home.save_revision().publish()
    for code, locale in locales.items():
        if code != settings.LANGUAGE_CODE and not home.has_translation(locale):
            translated = home.copy_for_translation(locale)
            translated.title = "Safe Together"
            translated.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Safe Together"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home
