"""Legal facts and help resources: edited in one place, shown in every lesson
that chooses them, each with its source and the date it was last checked."""

from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField

from schools.models import Jurisdiction

REVIEW_INTERVAL = timedelta(days=365)


class LegalFact(TranslatableMixin, models.Model):
    key = models.SlugField(_("key"), max_length=60, help_text=_("Stable name used by the content files."))
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    statute = models.CharField(_("statute and article"), max_length=300)
    punished = models.TextField(_("what is punished"))
    penalty = models.TextField(_("penalty"))
    in_force = models.DateField(_("in force since"))
    source_url = models.URLField(_("source"), max_length=500)
    last_reviewed = models.DateField(_("last reviewed"))
    verify = models.BooleanField(
        _("check the current law"), default=False, help_text=_("Shown with a note to check the current law.")
    )

    translatable_fields = [
        TranslatableField("statute"),
        TranslatableField("punished"),
        TranslatableField("penalty"),
        SynchronizedField("key"),
        SynchronizedField("jurisdiction"),
        SynchronizedField("in_force"),
        SynchronizedField("source_url"),
        SynchronizedField("last_reviewed"),
        SynchronizedField("verify"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("legal fact")
        verbose_name_plural = _("legal facts")
        ordering = ["jurisdiction", "key"]

    def __str__(self):
        return f"{self.statute} — {self.punished[:60]}"

    @property
    def needs_review(self) -> bool:
        return self.last_reviewed < (timezone.localdate() - REVIEW_INTERVAL)

    needs_review.fget.short_description = _("needs review")


class HelpResource(TranslatableMixin, models.Model):
    class Scope(models.TextChoices):
        KOREA = "KR", _("South Korea")
        UNITED_STATES = "US", _("United States")
        UNITED_KINGDOM = "UK", _("United Kingdom")
        AUSTRALIA = "AU", _("Australia")
        INTERNATIONAL = "INTL", _("Everywhere")

    key = models.SlugField(_("key"), max_length=60)
    jurisdiction = models.CharField(_("where it helps"), max_length=4, choices=Scope.choices)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    url = models.URLField(_("web address"), blank=True)
    hours = models.CharField(_("hours"), max_length=200)
    purpose = models.TextField(_("what it is for"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    translatable_fields = [
        TranslatableField("name"),
        TranslatableField("hours"),
        TranslatableField("purpose"),
        SynchronizedField("key"),
        SynchronizedField("jurisdiction"),
        SynchronizedField("phone"),
        SynchronizedField("url"),
        SynchronizedField("sort_order"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("help resource")
        verbose_name_plural = _("help resources")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


def review_due_before() -> date:
    return timezone.localdate() - REVIEW_INTERVAL
