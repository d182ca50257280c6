"""Which translated lessons are behind their Korean source.

wagtail-localize keeps, per Korean page, the content its translations were
last synced from (``TranslationSource``). A translation is behind when the
Korean page's published content differs from that copy (the Korean changed
and nobody synced), or when it was synced after the translation was last
published (synced, not yet translated and published). It is up to date
again once it is synced and published after the change. The date shown is
when the Korean page was last published.

Editors see the lessons that are behind on the CMS dashboard and on the
translation's edit page (curriculum.wagtail_hooks); readers of the English
page see a note with the date (templates/curriculum/lesson_page.html).
"""

from __future__ import annotations

import json
from datetime import datetime

from wagtail_localize.models import TranslationSource

from .selectors import source_locale_id


def _translated_fields(model) -> list[str]:
    return [field.field_name for field in model.translatable_fields]


def _normal(value):
    """StreamFields are stored as JSON text whose key order varies with
    how the value was made: compare what they say."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def behind_since(pages) -> dict[int, datetime]:
    """For each translated page that is behind its source, the time the
    source was last published. Three queries at most, whatever the number
    of pages; none when every page is in the source language."""
    locale_id = source_locale_id()
    pages = [p for p in pages if p.locale_id != locale_id]
    if not pages:
        return {}
    model = type(pages[0])
    keys = {p.translation_key for p in pages}
    sources = {
        s.object_id: s
        for s in TranslationSource.objects.filter(object_id__in=keys, locale_id=locale_id).only(
            "object_id", "content_json", "last_updated_at"
        )
    }
    originals = {p.translation_key: p for p in model.objects.filter(translation_key__in=keys, locale_id=locale_id)}
    names = _translated_fields(model)
    result = {}
    for page in pages:
        source, original = sources.get(page.translation_key), originals.get(page.translation_key)
        if source is None or original is None or not original.live or original.last_published_at is None:
            continue
        synced = json.loads(source.content_json)
        published = json.loads(original.to_json())
        changed = any(_normal(synced.get(name)) != _normal(published.get(name)) for name in names)
        unpublished_sync = page.last_published_at is None or source.last_updated_at > page.last_published_at
        if changed or unpublished_sync:
            result[page.pk] = original.last_published_at
    return result


def lessons_behind(limit: int = 50) -> list[tuple]:
    """The translated lessons behind their source, oldest change first, as
    (translation, source published at) pairs: for the CMS dashboard."""
    from .models import LessonPage

    translations = list(LessonPage.objects.exclude(locale_id=source_locale_id()).select_related("locale"))
    behind = behind_since(translations)
    found = sorted(((p, behind[p.pk]) for p in translations if p.pk in behind), key=lambda item: item[1])
    return found[:limit]
