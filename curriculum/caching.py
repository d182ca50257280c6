"""Caches of what does not depend on the person: the rendered lesson body
per revision, language and audience, and the help resources per
jurisdiction. Publishing (or unpublishing, deleting, or the loader's
direct save of) a legal fact or a help resource bumps a generation number,
so an amended law shows in every lesson at once. Saving a draft, submitting
it for review or locking it changes only the snippet's bookkeeping columns,
not what pages show, and leaves the caches alone."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.signals import published, unpublished

from .models import HelpResource, LegalFact
from .page_cache import TIMEOUT, bump_generation
from .page_cache import generation as _generation

# What a draft, a workflow step or a lock writes to the row (RevisionMixin,
# DraftStateMixin, LockableMixin): none of it is shown on pages.
_BOOKKEEPING = frozenset({"latest_revision", "has_unpublished_changes", "locked", "locked_at", "locked_by"})


@receiver([published, unpublished, post_delete], sender=LegalFact)
@receiver([published, unpublished, post_delete], sender=HelpResource)
def _snippets_changed(**kwargs):
    bump_generation()


@receiver(post_save, sender=LegalFact)
@receiver(post_save, sender=HelpResource)
def _snippet_saved(update_fields=None, **kwargs):
    if update_fields is None or not set(update_fields) <= _BOOKKEEPING:
        bump_generation()


def _body_key(lesson, show_teacher_notes: bool) -> str:
    audience = "teacher" if show_teacher_notes else "learner"
    return f"lesson-body:{lesson.pk}:{lesson.latest_revision_id}:{get_language()}:{audience}:{_generation()}"


def _render_body(lesson, show_teacher_notes: bool) -> str:
    return str(
        render_to_string(
            "curriculum/includes/lesson_body.html", {"page": lesson, "show_teacher_notes": show_teacher_notes}
        )
    )


def _help_key(jurisdiction: str) -> str:
    return f"help-resources:{jurisdiction}:{get_language()}:{_generation()}"


def _read_help(jurisdiction: str) -> list[HelpResource]:
    return list(
        HelpResource.objects.filter(
            live=True, locale__language_code=get_language(), jurisdiction__in=[jurisdiction, "INTL"]
        )
    )


def _stored(found: dict, key: str, make):
    value = found.get(key)
    if value is None:
        value = make()
        cache.set(key, value, TIMEOUT)
    return value


def lesson_parts(lesson, *, show_teacher_notes: bool, jurisdiction: str) -> tuple[str, list[HelpResource]]:
    """The rendered lesson body and the help lines, in one cache round trip."""
    body_key, help_key = _body_key(lesson, show_teacher_notes), _help_key(jurisdiction)
    found = cache.get_many([body_key, help_key])
    html = _stored(found, body_key, lambda: _render_body(lesson, show_teacher_notes))
    # Rendered by our own templates from escaped content, so safe to mark.
    return mark_safe(html), _stored(found, help_key, lambda: _read_help(jurisdiction))  # noqa: S308
