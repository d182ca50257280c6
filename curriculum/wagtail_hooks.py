"""CMS registration of the curriculum snippets. The legal facts list shows,
and filters by, the facts that have not been reviewed for a year. Wagtail's
"Reports" menu is renamed "CMS reports": our Korean "Reports" (신고) means
the pupils' incident reports. Translations behind their Korean lesson are
listed on the dashboard and flagged on their edit page."""

import django_filters
from django.contrib import messages
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import HelpResource, LegalFact, LessonPage
from .models.snippets import review_due_before
from .translation_status import behind_since, lessons_behind


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


class TranslationsBehindPanel(Component):
    """The dashboard's list of translated lessons whose Korean lesson changed."""

    name = "translations_behind"
    template_name = "curriculum/admin/translations_behind.html"
    order = 250

    def get_context_data(self, parent_context):
        return {"lessons": lessons_behind()}


@hooks.register("construct_homepage_panels")
def add_translations_behind_panel(request, panels):
    if request.user.has_perm("wagtailadmin.access_admin"):
        panels.append(TranslationsBehindPanel())


# Before wagtail-localize's own hook, which answers with its translation editor.
@hooks.register("before_edit_page", order=-1)
def warn_when_translation_is_behind(request, page):
    if request.method != "GET" or not isinstance(page.specific, LessonPage):
        return
    changed_at = behind_since([page.specific]).get(page.pk)
    if changed_at is not None:
        date = formats.date_format(timezone.localtime(changed_at), "Y-m-d")
        messages.warning(
            request,
            gettext(
                "Needs update: the Korean lesson was updated on %(date)s. Sync this translation from the Korean "
                "page, translate what changed and submit it for review."
            )
            % {"date": date},
        )
