"""Cache invalidation for the accounts app."""

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from edu_platform.cache import invalidations_lost

from .models import GuardianConsent, GuardianLink, User
from .permissions import forget_every_stored_role, forget_roles
from .selectors import guardian_links_key


@receiver([post_save, post_delete], sender=GuardianLink)
def _guardian_links_changed(sender, instance, **kwargs):
    cache.delete(guardian_links_key(instance.student_id))
    forget_roles([instance.guardian_id, instance.student_id])  # has_children; consent


@receiver(post_save, sender=User)
def _guardian_renamed(sender, instance, update_fields=None, **kwargs):
    """A guardian's new name or deactivation shows on their children's pages."""
    if update_fields is not None and not {"display_name", "is_active", "username"} & set(update_fields):
        return  # e.g. last_login at every sign-in

    student_ids = list(GuardianLink.objects.filter(guardian=instance).values_list("student_id", flat=True))
    if student_ids:
        cache.delete_many([guardian_links_key(sid) for sid in student_ids])


# --- Stored roles (accounts.permissions.roles_of) ----------------------------


@receiver([post_save, post_delete], sender="schools.Membership")
def _membership_changed(sender, instance, **kwargs):
    forget_roles([instance.user_id])


@receiver([post_save, post_delete], sender="classroom.Enrollment")
def _enrollment_changed(sender, instance, **kwargs):
    forget_roles([instance.student_id])


@receiver([post_save, post_delete], sender=GuardianConsent)
def _consent_changed(sender, instance, **kwargs):
    forget_roles([instance.student_id])


@receiver(post_save, sender="classroom.Classroom")
def _classroom_changed(sender, instance, created=False, **kwargs):
    """A class's grade or archiving decides its students' band and consent age."""
    if not created:
        forget_roles(instance.enrollments.values_list("student_id", flat=True))


@receiver(post_save, sender="schools.School")
def _school_changed(sender, instance, created=False, **kwargs):
    if not created:
        forget_roles(instance.memberships.values_list("user_id", flat=True))


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # group.user_set.add(...), or permission.user_set
        forget_roles(pk_set or instance.user_set.values_list("pk", flat=True))
    else:
        forget_roles([instance.pk])


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    groups = Group.objects.filter(pk__in=pk_set or ()) if reverse else [instance]
    forget_roles(User.objects.filter(groups__in=groups).values_list("pk", flat=True))


@receiver(m2m_changed, sender="schools.District_safety_officers")
def _safety_officers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    forget_roles([instance.pk] if reverse else (pk_set or instance.safety_officers.values_list("pk", flat=True)))


@receiver(invalidations_lost)
def _redis_back_after_lost_invalidations(sender, **kwargs):
    """A role change made while Redis was away could not be forgotten: forget
    every stored role (the signal comes from the Redis cache only)."""
    forget_every_stored_role()
