"""Legal facts and help resources: edited in one place, shown in every lesson
that chooses them, each with its source and the date it was last checked.

Both have drafts and go through the safeguarding review like lessons
(curriculum.site_setup assigns the workflow to their content types): an
editor's change is a revision until a reviewer approves it, and the row
itself, which pages read, holds only the published version. A snippet
that was never published (``live`` false) is shown nowhere.
"""

from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail_localize.fields import SynchronizedField, TranslatableField

from schools.models import Jurisdiction

REVIEW_INTERVAL = timedelta(days=365)


class ReviewedSnippet(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, TranslatableMixin, models.Model
):
    """A snippet whose changes reach pages only once a reviewer publishes them."""

    # The files' entry this snippet was last loaded from (curriculum.loader).
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    preview_template: str = ""

    class Meta(TranslatableMixin.Meta):
        abstract = True

    def get_preview_template(self, request, mode_name):
        return self.preview_template

    def get_preview_context(self, request, mode_name):
        return {**super().get_preview_context(request, mode_name), "value": {self.preview_name: self}}


class LegalFact(ReviewedSnippet):
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
    preview_template = "curriculum/snippet_preview.html"
    preview_name = "fact"

    class Meta(ReviewedSnippet.Meta):
        verbose_name = _("legal fact")
        verbose_name_plural = _("legal facts")
        ordering = ["jurisdiction", "key"]

    def __str__(self):
        return f"{self.statute} — {self.punished[:60]}"

    @property
    def needs_review(self) -> bool:
        return self.last_reviewed < (timezone.localdate() - REVIEW_INTERVAL)

    needs_review.fget.short_description = _("needs review")


class HelpResource(ReviewedSnippet):
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
    preview_template = "curriculum/snippet_preview.html"
    preview_name = "resource"

    class Meta(ReviewedSnippet.Meta):
        verbose_name = _("help resource")
        verbose_name_plural = _("help resources")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


def review_due_before() -> date:
    return timezone.localdate() - REVIEW_INTERVAL
