"""Caches of what does not depend on the person: the rendered lesson body
per revision, language and audience, and the help resources per
jurisdiction. Saving a legal fact or a help resource bumps a generation
number, so an amended law shows in every lesson at once."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .models import HelpResource, LegalFact
from .page_cache import TIMEOUT, bump_generation
from .page_cache import generation as _generation


@receiver([post_save, post_delete], sender=LegalFact)
@receiver([post_save, post_delete], sender=HelpResource)
def _snippets_changed(**kwargs):
    bump_generation()


def lesson_body_html(lesson, *, show_teacher_notes: bool) -> str:
    audience = "teacher" if show_teacher_notes else "learner"
    key = f"lesson-body:{lesson.pk}:{lesson.latest_revision_id}:{get_language()}:{audience}:{_generation()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "curriculum/includes/lesson_body.html", {"page": lesson, "show_teacher_notes": show_teacher_notes}
        )
        cache.set(key, str(html), TIMEOUT)
    # Rendered by our own templates from escaped content, so safe to mark.
    return mark_safe(html)  # noqa: S308


def help_resources(jurisdiction: str) -> list[HelpResource]:
    language = get_language()
    key = f"help-resources:{jurisdiction}:{language}:{_generation()}"
    resources = cache.get(key)
    if resources is None:
        resources = list(
            HelpResource.objects.filter(locale__language_code=language, jurisdiction__in=[jurisdiction, "INTL"])
        )
        cache.set(key, resources, TIMEOUT)
    return resources
