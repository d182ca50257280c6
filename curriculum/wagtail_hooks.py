"""CMS registration of the curriculum snippets. The legal facts list shows,
and filters by, the facts that have not been reviewed for a year. Wagtail's
"Reports" menu is renamed "CMS reports": our Korean "Reports" (신고) means
the pupils' incident reports."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import HelpResource, LegalFact
from .models.snippets import review_due_before


class LegalFactFilterSet(WagtailFilterSet):
    needs_review = django_filters.BooleanFilter(label=_("Not reviewed for a year"), method="filter_needs_review")

    class Meta:
        model = LegalFact
        fields = ["jurisdiction", "verify"]

    def filter_needs_review(self, queryset, name, value):
        if value is None:
            return queryset
        due = review_due_before()
        return queryset.filter(last_reviewed__lt=due) if value else queryset.filter(last_reviewed__gte=due)


class LegalFactViewSet(SnippetViewSet):
    model = LegalFact
    icon = "doc-full"
    menu_label = _("Legal facts")
    list_display = ["statute", "jurisdiction", "in_force", "last_reviewed", "needs_review", "verify"]
    filterset_class = LegalFactFilterSet
    search_fields = ["statute", "punished", "key"]
    ordering = ["last_reviewed"]


class HelpResourceViewSet(SnippetViewSet):
    model = HelpResource
    icon = "help"
    menu_label = _("Help resources")
    list_display = ["name", "phone", "jurisdiction", "hours"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "purpose"]


register_snippet(LegalFactViewSet)
register_snippet(HelpResourceViewSet)


@hooks.register("construct_main_menu")
def rename_wagtail_reports_menu(request, menu_items):
    for item in menu_items:
        if item.name == "reports":
            item.label = _("CMS reports")
