"""Creates the Wagtail site: locales, the Korean home page and its English
translation. Idempotent, so seed_demo and load_curriculum can both call it."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

from .models import HelpResource, HomePage, LegalFact

# Snippets that pages show and that go through the same review as pages.
REVIEWED_SNIPPETS = (LegalFact, HelpResource)


@transaction.atomic
def ensure_site() -> HomePage:
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code, _ in settings.LANGUAGES}
    source = locales[settings.LANGUAGE_CODE]
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale=source).first()
    if home is None:
        # Wagtail's first migration leaves a "Welcome" page at the site root.
        Page.objects.filter(depth=2).exclude(locale__in=locales.values()).delete()
        for welcome in Page.objects.filter(depth=2, slug="home").exclude(content_type__model="homepage"):
            welcome.delete()
        home = HomePage(title="함께 지키는 안전", slug="home", locale=source)
        root.add_child(instance=home)
        home.save_revision().publish()
    for code, locale in locales.items():
        if code != settings.LANGUAGE_CODE and not home.has_translation(locale):
            translated = home.copy_for_translation(locale)
            translated.title = "Safe Together"
            translated.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Safe Together"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    ensure_review_workflow(home)
    return home


REVIEWERS_GROUP = "Safeguarding reviewers"


@transaction.atomic
def ensure_review_workflow(home: Page) -> Workflow:
    """Lessons and their translations, legal facts and help resources are
    published only after a safeguarding review: editors (no publish
    permission) submit, reviewers approve."""
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    moderators = Group.objects.filter(name="Moderators").first()
    if moderators is not None:
        # Reviewers approve and publish like Wagtail's moderators.
        from wagtail.models import GroupPagePermission

        for perm in GroupPagePermission.objects.filter(group=moderators):
            GroupPagePermission.objects.get_or_create(group=reviewers, page=perm.page, permission=perm.permission)
        reviewers.permissions.add(*moderators.permissions.all())
    _grant_snippet_permissions(reviewers=reviewers, editors=Group.objects.filter(name="Editors"))
    workflow, _ = Workflow.objects.get_or_create(name="Safeguarding review", defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name="Safeguarding review").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Safeguarding review")
    task.groups.add(reviewers)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    # Every language's tree: a translation is reviewed like the lesson it comes from.
    for page in home.get_translations(inclusive=True):
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    for model in REVIEWED_SNIPPETS:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        WorkflowContentType.objects.update_or_create(content_type=content_type, defaults={"workflow": workflow})
    return workflow


def _grant_snippet_permissions(*, reviewers: Group, editors) -> None:
    """Editors draft changes to the legal facts and help lines and submit
    them; only reviewers publish, unlock or delete them (a deletion would
    reach the pages unreviewed)."""
    from django.contrib.auth.models import Permission

    models = ("legalfact", "helpresource")
    editing = [f"{action}_{model}" for action in ("add", "change", "lock") for model in models]
    reviewing = [*editing, *(f"{action}_{model}" for action in ("publish", "unlock", "delete") for model in models)]
    permissions = Permission.objects.filter(content_type__app_label="curriculum")
    reviewers.permissions.add(*permissions.filter(codename__in=reviewing))
    for group in editors:
        group.permissions.remove(*permissions.filter(codename__in=set(reviewing) - set(editing)))
        group.permissions.add(*permissions.filter(codename__in=editing))
