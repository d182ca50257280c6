"""The page tree: HomePage → SectionPage (students, parents, teachers) →
ModulePage → LessonPage. Allowed parent and child types enforce it."""

# The page models serve their own pages (Wagtail calls serve and get_context),
# while the views, selectors and permissions they call import these models:
# the methods below import those modules when a page is served, not at load.

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.blocks import CharBlock, TextBlock
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from ..blocks import LessonStreamBlock, QuestionStreamBlock
from ..page_cache import mark_cacheable


class Audience(models.TextChoices):
    STUDENT = "student", _("Students")
    PARENT = "parent", _("Parents")
    TEACHER = "teacher", _("Teachers")


class Band(models.TextChoices):
    """Grade bands of the spiral curriculum, youngest first."""

    E12 = "e12", _("Grades 1–2")
    E34 = "e34", _("Grades 3–4")
    E56 = "e56", _("Grades 5–6")
    MIDDLE = "middle", _("Middle school")
    HIGH = "high", _("High school")
    PARENT = "parent", _("Parents")
    TEACHER = "teacher", _("Teachers")


STUDENT_BANDS = [Band.E12, Band.E34, Band.E56, Band.MIDDLE, Band.HIGH]
# Younger bands get larger type, shorter lines and a prominent read-aloud button.
LOWER_BANDS = {Band.E12, Band.E34}


class RouteCachedPage(Page):
    """Pages whose route is kept between requests (curriculum.route_cache).
    The ids of the view restrictions that apply are kept on the instance, so
    a stored copy answers Wagtail's privacy check at every request with no
    query."""

    # Cached properties every view of the page reads: the stored copy carries them.
    route_cache_carries: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def get_view_restrictions(self):
        ids = self.__dict__.get("_view_restriction_ids")
        if ids is None:
            ids = self._view_restriction_ids = list(super().get_view_restrictions().values_list("pk", flat=True))
        return PageViewRestriction.objects.filter(pk__in=ids) if ids else PageViewRestriction.objects.none()

    def warm_for_route_cache(self, served) -> None:
        """Take over what serving the page already read, or read it now."""
        for name in ("_view_restriction_ids", *self.route_cache_carries):
            if name in served.__dict__:
                self.__dict__[name] = served.__dict__[name]
        self.get_view_restrictions()
        for name in self.route_cache_carries:
            getattr(self, name)


class HomePage(RouteCachedPage):
    """The front door: Learn, Parents, Teachers and Report anonymously."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, "intro"]
    translatable_fields = [TranslatableField("title"), TranslatableField("slug"), TranslatableField("intro")]
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["curriculum.SectionPage"]

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Find the deepest page for the path in one lookup instead of one
        query per level; the rest of the path goes to that page's own
        routes (a lesson's quiz/, a module's check/pre/)."""
        if not path_components:
            return super().route(request, path_components)
        candidates = [self.url_path + "/".join(path_components[:n]) + "/" for n in range(len(path_components), 0, -1)]
        page = Page.objects.filter(url_path__in=candidates, path__startswith=self.path).order_by("-depth").first()
        if page is None:
            raise Http404
        remaining = path_components[page.depth - self.depth :]
        return page.specific.route(request, remaining)

    def get_context(self, request, *args, **kwargs):
        from django.urls import reverse

        context = super().get_context(request, *args, **kwargs)
        mark_cacheable(request)
        base = self.url or "/"
        context["doors"] = {
            "learn": f"{base}learn/",
            "parents": f"{base}for-parents/",
            "teachers": f"{base}for-teachers/",
            "report": reverse("report_search"),
        }
        return context


class SectionPage(RouteCachedPage):
    """One audience's shelf of modules."""

    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("audience"), FieldPanel("intro")]
    parent_page_types = ["curriculum.HomePage"]
    subpage_types = ["curriculum.ModulePage"]
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("intro"),
        SynchronizedField("audience"),
    ]

    class Meta:
        verbose_name = _("section")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import modules_for_section

        context = super().get_context(request, *args, **kwargs)
        mark_cacheable(request)
        context["modules"] = modules_for_section(self, request.user)
        return context


class ModulePage(RoutablePageMixin, RouteCachedPage):
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    band = models.CharField(_("grade band"), max_length=10, choices=Band.choices)
    summary = models.TextField(_("summary"), max_length=600)
    objectives = StreamField(
        [("objective", CharBlock(max_length=300, label=_("Objective")))],
        verbose_name=_("learning objectives"),
        blank=True,
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=30)
    sort_order = models.PositiveSmallIntegerField(_("order in its section"), default=0)
    family_starters = StreamField(
        [("starter", TextBlock(max_length=400, label=_("Conversation starter")))],
        verbose_name=_("family sheet: conversation starters"),
        blank=True,
        help_text=_("Three questions a family can ask at home; printed on the module's family sheet."),
    )
    precheck = StreamField(QuestionStreamBlock(), verbose_name=_("pre-check"), blank=True)
    postcheck = StreamField(QuestionStreamBlock(), verbose_name=_("post-check"), blank=True)
    parent_lesson = models.ForeignKey(
        "curriculum.LessonPage",
        verbose_name=_("matching parent lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The parent lesson that helps a parent talk about this module at home."),
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("band"), FieldPanel("estimated_minutes"), FieldPanel("sort_order")],
            heading=_("Who it is for"),
        ),
        FieldPanel("summary"),
        FieldPanel("objectives"),
        FieldPanel("family_starters"),
        FieldPanel("precheck"),
        FieldPanel("postcheck"),
        FieldPanel("parent_lesson"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["curriculum.SectionPage"]
    subpage_types = ["curriculum.LessonPage"]
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("summary"),
        TranslatableField("objectives"),
        TranslatableField("family_starters"),
        TranslatableField("precheck"),
        TranslatableField("postcheck"),
        SynchronizedField("audience"),
        SynchronizedField("band"),
        SynchronizedField("estimated_minutes"),
        SynchronizedField("sort_order"),
        # Points at the source-language parent lesson; pages show its translation.
        SynchronizedField("parent_lesson"),
        SynchronizedField("content_hash"),
    ]

    class Meta:
        verbose_name = _("module")

    @property
    def is_lower_band(self) -> bool:
        return self.band in LOWER_BANDS

    def serve(self, request, *args, **kwargs):
        from ..permissions import can_open_module

        if not can_open_module(request.user, self):
            raise PermissionDenied
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import module_overview

        context = super().get_context(request, *args, **kwargs)
        mark_cacheable(request)
        context.update(module_overview(self, request.user))
        return context

    @path("check/<str:which>/")
    def knowledge_check(self, request, which):
        """The short quiz at the start (pre) or end (post) of a module."""
        from .. import views

        if which not in ("pre", "post"):
            raise PermissionDenied
        return views.module_check(request, self, which)

    @path("family-sheet/")
    def family_sheet(self, request):
        """One printable A4 page for the family: what the child learns, three
        questions to talk about at home, and the help lines for the band."""
        from .. import views

        if self.audience != Audience.STUDENT:
            raise Http404
        return views.family_sheet(request, self)

    @path("certificate/")
    def certificate(self, request):
        from .. import views

        return views.module_certificate(request, self)


class LessonPage(RoutablePageMixin, RouteCachedPage):
    essential_question = models.CharField(_("essential question"), max_length=300)
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=20)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=False)
    body = StreamField(LessonStreamBlock(), verbose_name=_("lesson"))
    quiz = StreamField(QuestionStreamBlock(), verbose_name=_("quiz"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("essential_question"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("pass_mark"), FieldPanel("shuffle_choices"), FieldPanel("quiz")], heading=_("Quiz")
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("essential_question"), index.SearchField("body")]
    parent_page_types = ["curriculum.ModulePage"]
    subpage_types = []
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("essential_question"),
        TranslatableField("body"),
        TranslatableField("quiz"),
        SynchronizedField("estimated_minutes"),
        SynchronizedField("pass_mark"),
        SynchronizedField("shuffle_choices"),
    ]

    class Meta:
        verbose_name = _("lesson")

    @cached_property
    def module(self) -> ModulePage:
        # One query: the parent's path is this page's path minus one step.
        return ModulePage.objects.get(path=self.path[: -self.steplen])

    @cached_property
    def next_lesson(self) -> "LessonPage | None":
        return (
            LessonPage.objects.sibling_of(self, inclusive=False)
            .live()
            .filter(path__gt=self.path)
            .order_by("path")
            .first()
        )

    @cached_property
    def translation_behind_since(self):
        """When the Korean lesson was last published, if this translation
        has not caught up with it (curriculum.translation_status)."""
        from ..translation_status import behind_since

        return behind_since([self]).get(self.pk)

    route_cache_carries = ("module", "next_lesson", "translation_behind_since")

    def serve(self, request, *args, **kwargs):
        from ..permissions import can_open_module

        if not can_open_module(request.user, self.module):
            raise PermissionDenied
        return super().serve(request, *args, **kwargs)

    @path("")
    def lesson(self, request):
        from .. import views

        return views.lesson_page(request, self)

    @path("quiz/")
    def submit_quiz(self, request):
        from .. import views

        if request.method != "POST":
            return redirect(self.url)
        return views.lesson_quiz_submit(request, self)

    @path("done/")
    def mark_read(self, request):
        from .. import views

        return views.lesson_mark_read(request, self)
