"""Loads the curriculum files into the CMS, idempotently.

Korean pages are created or updated from the files; the English pages are
made by wagtail-localize from translation memory that the loader fills from
the files' English text, so editors later see them as ordinary synced
translations. A module whose file did not change since the last load is left
alone, so edits made in the CMS survive until the file itself changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments

from .content_schema import CONTENT_DIR, load_content, load_illustrations
from .content_stream import Builder, content_hash
from .models import HelpResource, HomePage, LegalFact, LessonPage, ModulePage, SectionPage
from .site_setup import ensure_site

TARGET = "en"

SECTIONS = [
    # slug, audience, Korean title, English title
    ("learn", "student", "학생 배움터", "Learn"),
    ("for-parents", "parent", "보호자", "For parents"),
    ("for-teachers", "teacher", "교사", "For teachers"),
]
SECTION_FOR = {"student": "learn", "parent": "for-parents", "teacher": "for-teachers"}
# The shape of the StreamField JSON the loader writes. Part of each module's
# digest, so a change of shape (2: second forms of quiz questions, key points
# with icons) reloads every module once, even where the file is unchanged.
STREAM_FORMAT = 2
# Parent lessons first: student modules point at them.
AUDIENCE_ORDER = {"parent": 0, "teacher": 1, "student": 2}


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _locales() -> tuple[Locale, Locale]:
    source = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
    target = Locale.objects.get(language_code=TARGET)
    return source, target


def _load_snippets(facts: dict, source: Locale, target: Locale) -> tuple[dict[str, int], dict[str, int]]:
    """Legal facts and help resources in both languages; returns the Korean ids by key."""
    fact_ids, resource_ids = {}, {}
    for data in facts.get("legal_facts") or []:
        common = {
            "jurisdiction": data["jurisdiction"],
            "in_force": data["in_force"],
            "source_url": data["source_url"],
            "last_reviewed": data["last_reviewed"],
            "verify": bool(data.get("verify")),
        }
        ko = _upsert_snippet(
            LegalFact, data["key"], source, None, common, data, "ko", ("statute", "punished", "penalty")
        )
        _upsert_snippet(LegalFact, data["key"], target, ko, common, data, TARGET, ("statute", "punished", "penalty"))
        fact_ids[data["key"]] = ko.pk
    for order, data in enumerate(facts.get("help_resources") or []):
        common = {
            "jurisdiction": data["jurisdiction"],
            "phone": str(data.get("phone") or ""),
            "url": data.get("url") or "",
            "sort_order": order,
        }
        ko = _upsert_snippet(HelpResource, data["key"], source, None, common, data, "ko", ("name", "hours", "purpose"))
        _upsert_snippet(HelpResource, data["key"], target, ko, common, data, TARGET, ("name", "hours", "purpose"))
        resource_ids[data["key"]] = ko.pk
    return fact_ids, resource_ids


def _upsert_snippet(model, key, locale, source_obj, common, data, lang, text_fields):
    """Create or update one snippet from its entry in the files and publish
    it (the files are reviewed in the repository), with a revision in the
    CMS history. An entry that did not change since the last load leaves
    the snippet alone, so a change a reviewer published in the CMS stays
    until the file itself changes, as with modules."""
    values = {**common, **{f: data[f][lang].strip() for f in text_fields}}
    digest = content_hash(values)
    obj = model.objects.filter(key=key, locale=locale).first()
    if obj is None:
        extra = {"translation_key": source_obj.translation_key} if source_obj else {}
        obj = model(key=key, locale=locale, **values, **extra)
        obj.save()
    elif obj.live and obj.content_hash == digest:
        return obj
    else:
        for f, v in values.items():
            setattr(obj, f, v)
    obj.content_hash = digest
    obj.save_revision(log_action=False, clean=False).publish(log_action=False, skip_permission_checks=True)
    return obj


def _publish(page: Page) -> None:
    page.save_revision(log_action=False).publish(log_action=False)


def _ensure_sections(home: HomePage) -> dict[str, SectionPage]:
    sections = {}
    for slug, audience, ko_title, en_title in SECTIONS:
        section = SectionPage.objects.child_of(home).filter(slug=slug).first()
        if section is None:
            section = SectionPage(title=ko_title, slug=slug, audience=audience, locale=home.locale)
            home.add_child(instance=section)
            _publish(section)
        en_home = home.get_translation(Locale.objects.get(language_code=TARGET))
        if not SectionPage.objects.filter(translation_key=section.translation_key, locale=en_home.locale).exists():
            translated = section.copy_for_translation(en_home.locale)
            translated.title = en_title
            _publish(translated)
        sections[audience] = section
    return sections


def _translate(ko_page: Page, en_instance: Page, target: Locale) -> None:
    """Fill wagtail-localize's translation memory from the file's English
    text, segment by segment, then let it write the English page."""
    source, _ = TranslationSource.update_or_create_from_instance(ko_page)
    english = defaultdict(list)
    for segment in extract_segments(en_instance):
        if isinstance(segment, StringSegmentValue):
            english[segment.path].append(segment.string.data)
    position = defaultdict(int)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context").order_by("order"):
        path = segment.context.path
        index = position[path]
        position[path] += 1
        try:
            text = english[path][index]
        except IndexError:
            raise ValueError(f"{ko_page.slug}: no English text for {path} #{index}") from None
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=target,
            context=segment.context,
            defaults={
                "data": text,
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "tool_name": "content files",
            },
        )
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=target, defaults={"enabled": True})
    translation.save_target(publish=True)


def _fill_module(page: ModulePage, data: dict, builder: Builder, digest: str, parent_lesson_id):
    slug = data["slug"]
    page.title = builder.t(data["title"])
    page.slug = slug
    page.audience = data["audience"]
    page.band = data["band"]
    page.summary = builder.t(data["summary"])
    page.objectives = builder.texts(data["objectives"], "objective", slug, "o")
    page.family_starters = builder.texts((data.get("family_sheet") or {}).get("starters"), "starter", slug, "fs")
    page.estimated_minutes = data["minutes"]
    page.sort_order = data["order"]
    page.precheck = builder.questions(data.get("precheck"), slug, "pre")
    page.postcheck = builder.questions(data.get("postcheck"), slug, "post")
    page.parent_lesson_id = parent_lesson_id
    page.content_hash = digest


def _fill_lesson(page: LessonPage, module_slug: str, data: dict, builder: Builder, pictures: dict):
    scope = (module_slug, data["slug"])
    page.title = builder.t(data["title"])
    page.slug = data["slug"]
    page.essential_question = builder.t(data["essential_question"])
    page.estimated_minutes = data["minutes"]
    page.pass_mark = data.get("pass_mark", 60)
    page.shuffle_choices = bool(data.get("shuffle", False))
    page.body = builder.body(data["body"], *scope, pictures=pictures.get(f"{module_slug}/{data['slug']}", []))
    page.quiz = builder.questions(data.get("quiz"), *scope, "quiz")


def _parent_lesson_id(reference: str | None, sections: dict[str, SectionPage]) -> int | None:
    if not reference:
        return None
    module_slug, lesson_slug = reference.split("/")
    module = ModulePage.objects.child_of(sections["parent"]).filter(slug=module_slug).first()
    if module is None:
        return None
    lesson = LessonPage.objects.child_of(module).filter(slug=lesson_slug).first()
    return lesson.pk if lesson else None


def load_curriculum(content_dir: Path = CONTENT_DIR) -> Report:
    facts, modules = load_content(content_dir)
    pictures = load_illustrations(content_dir, modules)
    report = Report()
    with transaction.atomic():
        home = ensure_site()
        source, target = _locales()
        fact_ids, resource_ids = _load_snippets(facts, source, target)
        sections = _ensure_sections(home)
        ko = Builder("ko", fact_ids, resource_ids)
        en = Builder(TARGET, fact_ids, resource_ids)
        for data in sorted(modules, key=lambda m: (AUDIENCE_ORDER[m["audience"]], m["order"])):
            own_pictures = {key: p for key, p in pictures.items() if key.startswith(f"{data['slug']}/")}
            digest = content_hash({"module": data, "facts": facts, "pictures": own_pictures, "format": STREAM_FORMAT})
            section = sections[data["audience"]]
            module = ModulePage.objects.child_of(section).filter(slug=data["slug"]).first()
            if module is not None and module.content_hash == digest and _translated(module, target):
                report.unchanged.append(data["slug"])
                continue
            (report.created if module is None else report.updated).append(data["slug"])
            parent_lesson_id = _parent_lesson_id(data.get("parent_lesson"), sections)
            if module is None:
                module = ModulePage(locale=source)
                _fill_module(module, data, ko, digest, parent_lesson_id)
                section.add_child(instance=module)
            else:
                module = module.specific
                _fill_module(module, data, ko, digest, parent_lesson_id)
            _publish(module)
            en_module = ModulePage(locale=target)
            _fill_module(en_module, data, en, digest, parent_lesson_id)
            _translate(module, en_module, target)
            for lesson_data in data["lessons"]:
                lesson = LessonPage.objects.child_of(module).filter(slug=lesson_data["slug"]).first()
                if lesson is None:
                    lesson = LessonPage(locale=source)
                    _fill_lesson(lesson, data["slug"], lesson_data, ko, pictures)
                    module.add_child(instance=lesson)
                else:
                    _fill_lesson(lesson, data["slug"], lesson_data, ko, pictures)
                _publish(lesson)
                en_lesson = LessonPage(locale=target)
                _fill_lesson(en_lesson, data["slug"], lesson_data, en, pictures)
                _translate(lesson, en_lesson, target)
    # After the commit: Wagtail's on-commit tasks re-save the translated
    # modules from instances read before their lessons existed.
    for data in modules:
        for module in ModulePage.objects.filter(slug=data["slug"], locale=source):
            _fix_child_counts(module.translation_key)
    return report


def _fix_child_counts(translation_key) -> None:
    """wagtail-localize saves translated parents from an instance read before
    their children were added, leaving a stale treebeard child count that
    hides the children from routing; recount from the tree itself."""
    for page in Page.objects.filter(translation_key=translation_key):
        actual = Page.objects.filter(path__startswith=page.path, depth=page.depth + 1).count()
        if page.numchild != actual:
            Page.objects.filter(pk=page.pk).update(numchild=actual)


def _translated(module: ModulePage, target: Locale) -> bool:
    lesson_keys = list(LessonPage.objects.child_of(module).values_list("translation_key", flat=True))
    keys = [module.translation_key, *lesson_keys]
    return Page.objects.filter(translation_key__in=keys, locale=target).count() == len(keys)
