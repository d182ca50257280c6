"""Wagtail pages of the platform."""

from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The front door: Learn, Parents, Teachers and Report anonymously."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, "intro"]
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        base = self.url or "/"
        context["doors"] = {
            "learn": f"{base}learn/",
            "parents": f"{base}for-parents/",
            "teachers": f"{base}for-teachers/",
            "report": f"{base}report/",
        }
        return context
