"""Who belongs where: education offices (districts), schools, and the roles
people hold at a school. The bottom layer: every other app may import it,
it imports none of them."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.TextChoices):
    KOREA = "KR", _("South Korea")
    UNITED_STATES = "US", _("United States")
    UNITED_KINGDOM = "UK", _("United Kingdom")
    AUSTRALIA = "AU", _("Australia")


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    COUNSELOR = "counselor", _("Counselor")
    SCHOOL_ADMIN = "school_admin", _("School admin")


STAFF_ROLES = (Role.TEACHER, Role.COUNSELOR, Role.SCHOOL_ADMIN)


class District(models.Model):
    """An education office. Its safety officers receive the reports that
    involve school staff, so that staff never handle reports about
    themselves."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=20, unique=True)
    safety_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="districts_as_safety_officer"
    )

    def __str__(self):
        return self.name


school_code_validator = RegexValidator(r"^[A-Z0-9]{4,12}$", _("Use 4 to 12 capital letters and digits."))


class School(models.Model):
    class Level(models.TextChoices):
        ELEMENTARY = "elementary", _("Elementary school")
        MIDDLE = "middle", _("Middle school")
        HIGH = "high", _("High school")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("school code"), max_length=12, unique=True, validators=[school_code_validator])
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    level = models.CharField(_("school level"), max_length=12, choices=Level.choices, default=Level.MIDDLE)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=2, choices=Jurisdiction.choices, default=Jurisdiction.KOREA
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's role at a school. One person may hold several roles."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "school", "role"], name="unique_membership")]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.school}"


class EndedMembership(models.Model):
    """A staff role a school admin ended. Kept so that the staff page can
    list former teachers and re-invite them with one click."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="ended_memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ended_at"]

    def __str__(self):
        return f"{self.user_id} no longer {self.role} @ {self.school_id}"
