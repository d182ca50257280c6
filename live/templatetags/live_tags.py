"""Template helpers of the live class; ``live_sessions_for`` puts the "join
the live class" entry on the pupil's start page without the classroom app
importing this one."""

from django import template

from ..models import LiveSession

register = template.Library()


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag
def live_sessions_for(user):
    """The open live sessions of the pupil's classes (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        LiveSession.objects.filter(ended_at__isnull=True, classroom__enrollments__student=user)
        .select_related("lesson", "classroom")
        .order_by("-started_at")[:3]
    )
