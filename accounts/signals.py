"""Cache invalidation for the accounts app."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import GuardianLink, User


@receiver([post_save, post_delete], sender=GuardianLink)
def _guardian_links_changed(sender, instance, **kwargs):
    from .selectors import guardian_links_key

    cache.delete(guardian_links_key(instance.student_id))


@receiver(post_save, sender=User)
def _guardian_renamed(sender, instance, update_fields=None, **kwargs):
    """A guardian's new name or deactivation shows on their children's pages."""
    from .selectors import guardian_links_key

    if update_fields is not None and not {"display_name", "is_active", "username"} & set(update_fields):
        return  # e.g. last_login at every sign-in

    student_ids = list(GuardianLink.objects.filter(guardian=instance).values_list("student_id", flat=True))
    if student_ids:
        cache.delete_many([guardian_links_key(sid) for sid in student_ids])
