"""Validation of the curriculum content files (see content/SCHEMA.md).

Pure Python, no Django: the loader calls it before touching the database, and
authors run it on one file with ``python -m curriculum.content_schema FILE``.
Every problem is reported with its place in the file, so an author can fix all
of them in one pass.
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import yaml

from . import content_rules

CONTENT_DIR = Path(__file__).parent / "content"

AUDIENCES = {"student", "parent", "teacher"}
STUDENT_BANDS = ["e12", "e34", "e56", "middle", "high"]
BANDS = {*STUDENT_BANDS, "parent", "teacher"}
JURISDICTIONS = {"KR", "US", "UK", "AU"}
HELP_JURISDICTIONS = JURISDICTIONS | {"INTL"}
QUESTION_KINDS = {"single", "multiple", "true_false"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEXT_BLOCKS = {"content_warning", "text", "key_point", "reflection", "teacher_note"}
BLOCK_TYPES = TEXT_BLOCKS | {"scenario", "vocabulary", "legal_fact", "help_resource", "dilemma"}
# The recurring ideas with an icon (static/img/icons/<name>.svg): a key point
# may name one (``icon: stop``) and is then shown with it.
IDEA_ICONS = ("ask-first", "stop", "tell-an-adult", "report")
# Bands whose every lesson has a branching dilemma to think through.
DILEMMA_BANDS = ("middle", "high")
FAMILY_STARTERS = 3
LANGS = ("ko", "en")
# A Korean legal fact points at the article itself on the national law site,
# e.g. https://www.law.go.kr/법령/형법/제9조, never at a home page or a news story.
KR_ARTICLE_URL = re.compile(r"^https://www\.law\.go\.kr/법령/[^/\s]+/제\d+조(?:의\d+)?$")


class ContentError(Exception):
    """Raised with every problem found in the content files."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Checker:
    def __init__(self, fact_keys: set[str] | None = None, resource_keys: set[str] | None = None):
        self.problems: list[str] = []
        self.fact_keys = fact_keys
        self.resource_keys = resource_keys

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping")
            return {}
        return value

    def text(self, value, where: str) -> None:
        value = self.mapping(value, where)
        for lang in LANGS:
            if not isinstance(value.get(lang), str) or not value.get(lang, "").strip():
                self.fail(where, f"needs non-empty '{lang}' text")
        extra = set(value) - set(LANGS)
        if extra:
            self.fail(where, f"unknown languages {sorted(extra)}")

    def long_text(self, value, where: str) -> None:
        """Both languages must have the same paragraph and list structure."""
        self.text(value, where)
        if all(isinstance(value.get(lang), str) for lang in LANGS):
            shapes = {lang: paragraph_shape(value[lang]) for lang in LANGS}
            if shapes["ko"] != shapes["en"]:
                self.fail(where, f"ko and en differ in paragraphs/list items: ko {shapes['ko']}, en {shapes['en']}")

    def slug(self, value, where: str) -> None:
        if not isinstance(value, str) or not SLUG.match(value):
            self.fail(where, f"slug {value!r} must be lowercase ascii words joined by '-'")

    def question(self, q, where: str, *, second_form: bool = False) -> None:
        """One question; with ``second_form`` it must also carry ``alt``, its
        equivalent second form (same kind; own prompt, choices, key and
        feedback; explanation optional), shown on every other try."""
        q = self.mapping(q, where)
        kind = q.get("kind")
        if kind not in QUESTION_KINDS:
            self.fail(where, f"kind must be one of {sorted(QUESTION_KINDS)}")
        self.form(q, kind, where)
        alt = q.get("alt")
        if alt is None:
            if second_form:
                self.fail(where, "needs a second form (alt:) so that a retry is not the same quiz")
            return
        alt = self.mapping(alt, f"{where}.alt")
        if "kind" in alt and alt["kind"] != kind:
            self.fail(f"{where}.alt.kind", "the second form keeps the question's kind")
        if "explanation" not in alt:
            alt = {**alt, "explanation": q.get("explanation")}
        self.form(alt, kind, f"{where}.alt")
        if isinstance(alt.get("prompt"), dict) and alt["prompt"] == q.get("prompt"):
            self.fail(f"{where}.alt.prompt", "the second form asks in other words")

    def form(self, q: dict, kind, where: str) -> None:
        self.text(q.get("prompt"), f"{where}.prompt")
        self.text(q.get("explanation"), f"{where}.explanation")
        choices = q.get("choices")
        if not isinstance(choices, list):
            self.fail(where, "choices must be a list")
            return
        for i, choice in enumerate(choices):
            choice = self.mapping(choice, f"{where}.choices[{i}]")
            self.text(choice.get("text"), f"{where}.choices[{i}].text")
            self.text(choice.get("feedback"), f"{where}.choices[{i}].feedback")
            if not isinstance(choice.get("correct", False), bool):
                self.fail(f"{where}.choices[{i}].correct", "must be true or false")
        correct = sum(1 for c in choices if isinstance(c, dict) and c.get("correct") is True)
        if kind == "true_false":
            if len(choices) != 2 or correct != 1:
                self.fail(where, "true_false needs exactly 2 choices, one correct")
        elif kind == "single":
            if not 2 <= len(choices) <= 5 or correct != 1:
                self.fail(where, "single needs 2-5 choices, exactly one correct")
        elif kind == "multiple":
            if not 3 <= len(choices) <= 6 or correct < 1 or correct == len(choices):
                self.fail(where, "multiple needs 3-6 choices, at least one correct and one wrong")

    def questions(self, value, where: str, minimum: int, *, second_form: bool = False) -> None:
        if value is None:
            value = []
        if not isinstance(value, list):
            self.fail(where, "must be a list of questions")
            return
        if len(value) < minimum:
            self.fail(where, f"needs at least {minimum} questions, has {len(value)}")
        for i, q in enumerate(value):
            self.question(q, f"{where}[{i}]", second_form=second_form)

    def block(self, block, where: str) -> None:
        block = self.mapping(block, where)
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.fail(where, f"type {kind!r} is not one of {sorted(BLOCK_TYPES)}")
        elif kind in TEXT_BLOCKS:
            self.long_text({k: block.get(k) for k in LANGS}, where)
            if "icon" in block and (kind != "key_point" or block["icon"] not in IDEA_ICONS):
                self.fail(f"{where}.icon", f"only a key_point may have an icon, one of {list(IDEA_ICONS)}")
        elif kind == "scenario":
            self.text(block.get("title"), f"{where}.title")
            messages = block.get("messages")
            if not isinstance(messages, list) or len(messages) < 2:
                self.fail(where, "a scenario needs at least 2 messages")
                messages = []
            for i, m in enumerate(messages):
                m = self.mapping(m, f"{where}.messages[{i}]")
                self.text(m.get("speaker"), f"{where}.messages[{i}].speaker")
                self.text({k: m.get(k) for k in LANGS}, f"{where}.messages[{i}]")
                if not isinstance(m.get("me", False), bool):
                    self.fail(f"{where}.messages[{i}].me", "must be true or false")
        elif kind == "vocabulary":
            items = block.get("items")
            if not isinstance(items, list) or not items:
                self.fail(where, "vocabulary needs items")
                items = []
            for i, item in enumerate(items):
                item = self.mapping(item, f"{where}.items[{i}]")
                self.text(item.get("term"), f"{where}.items[{i}].term")
                self.text(item.get("definition"), f"{where}.items[{i}].definition")
        elif kind == "dilemma":
            for key in ("title", "situation", "question"):
                self.text(block.get(key), f"{where}.{key}")
            choices = block.get("choices")
            if not isinstance(choices, list) or not 2 <= len(choices) <= 4:
                self.fail(where, "a dilemma needs 2-4 choices")
                choices = []
            for i, choice in enumerate(choices):
                choice = self.mapping(choice, f"{where}.choices[{i}]")
                for key in ("choice", "outcome", "reflection"):
                    self.text(choice.get(key), f"{where}.choices[{i}].{key}")
        elif kind == "legal_fact":
            if self.fact_keys is not None and block.get("fact") not in self.fact_keys:
                self.fail(where, f"unknown legal fact {block.get('fact')!r}")
        elif kind == "help_resource":
            if self.resource_keys is not None and block.get("resource") not in self.resource_keys:
                self.fail(where, f"unknown help resource {block.get('resource')!r}")

    def lesson(self, lesson, where: str, audience: str, band: str) -> None:
        lesson = self.mapping(lesson, where)
        self.slug(lesson.get("slug"), f"{where}.slug")
        self.text(lesson.get("title"), f"{where}.title")
        self.text(lesson.get("essential_question"), f"{where}.essential_question")
        if not isinstance(lesson.get("minutes"), int) or not 5 <= lesson["minutes"] <= 90:
            self.fail(f"{where}.minutes", "must be a whole number of minutes (5-90)")
        pass_mark = lesson.get("pass_mark", 60)
        if not isinstance(pass_mark, int) or not 0 < pass_mark <= 100:
            self.fail(f"{where}.pass_mark", "must be a percentage (1-100)")
        if not isinstance(lesson.get("shuffle", False), bool):
            self.fail(f"{where}.shuffle", "must be true or false")
        body = lesson.get("body")
        if not isinstance(body, list) or not body:
            self.fail(f"{where}.body", "needs at least one block")
            body = []
        for i, block in enumerate(body):
            self.block(block, f"{where}.body[{i}]")
        if not any(isinstance(b, dict) and b.get("type") == "help_resource" for b in body):
            self.fail(f"{where}.body", "needs at least one help_resource block")
        if audience == "student":
            if band != "e12" and not any(isinstance(b, dict) and b.get("type") == "scenario" for b in body):
                self.fail(f"{where}.body", "student lessons from e34 up need a chat scenario")
            if band in DILEMMA_BANDS and not any(isinstance(b, dict) and b.get("type") == "dilemma" for b in body):
                self.fail(f"{where}.body", f"student lessons of band {band} need a dilemma")
            self.questions(lesson.get("quiz"), f"{where}.quiz", 3 if band == "e12" else 5, second_form=True)
        else:
            self.questions(lesson.get("quiz"), f"{where}.quiz", 0, second_form=True)

    def module(self, data, where: str) -> None:
        data = self.mapping(data, where)
        self.slug(data.get("slug"), f"{where}.slug")
        audience, band = data.get("audience"), data.get("band")
        if audience not in AUDIENCES:
            self.fail(f"{where}.audience", f"must be one of {sorted(AUDIENCES)}")
        if band not in BANDS:
            self.fail(f"{where}.band", f"must be one of {sorted(BANDS)}")
        elif audience == "student" and band not in STUDENT_BANDS:
            self.fail(f"{where}.band", "student modules need a student band")
        elif audience in ("parent", "teacher") and band != audience:
            self.fail(f"{where}.band", f"{audience} modules use band {audience}")
        for field in ("order", "minutes"):
            if not isinstance(data.get(field), int):
                self.fail(f"{where}.{field}", "must be a whole number")
        self.text(data.get("title"), f"{where}.title")
        self.text(data.get("summary"), f"{where}.summary")
        objectives = data.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            self.fail(f"{where}.objectives", "needs at least one objective")
            objectives = []
        for i, objective in enumerate(objectives):
            self.text(objective, f"{where}.objectives[{i}]")
        if audience == "student":
            if not isinstance(data.get("parent_lesson"), str) or data["parent_lesson"].count("/") != 1:
                self.fail(f"{where}.parent_lesson", "student modules name a parent lesson as module-slug/lesson-slug")
        if audience == "student":
            sheet = self.mapping(data.get("family_sheet"), f"{where}.family_sheet")
            starters = sheet.get("starters")
            if not isinstance(starters, list) or len(starters) != FAMILY_STARTERS:
                self.fail(f"{where}.family_sheet.starters", f"needs {FAMILY_STARTERS} conversation starters")
                starters = []
            for i, starter in enumerate(starters):
                self.text(starter, f"{where}.family_sheet.starters[{i}]")
        minimum = 3 if audience == "student" else 0
        self.questions(data.get("precheck"), f"{where}.precheck", minimum)
        self.questions(data.get("postcheck"), f"{where}.postcheck", minimum)
        lessons = data.get("lessons")
        if not isinstance(lessons, list) or not lessons:
            self.fail(f"{where}.lessons", "needs at least one lesson")
            lessons = []
        slugs = [lesson.get("slug") for lesson in lessons if isinstance(lesson, dict)]
        if len(slugs) != len(set(slugs)):
            self.fail(f"{where}.lessons", "lesson slugs must be unique")
        for i, lesson in enumerate(lessons):
            self.lesson(lesson, f"{where}.lessons[{i}]", audience, band)

    def facts(self, data, where: str) -> None:
        data = self.mapping(data, where)
        for i, fact in enumerate(data.get("legal_facts") or []):
            w = f"{where}.legal_facts[{i}]" + (f" ({fact.get('key')})" if isinstance(fact, dict) else "")
            fact = self.mapping(fact, w)
            self.slug(fact.get("key"), f"{w}.key")
            if fact.get("jurisdiction") not in JURISDICTIONS:
                self.fail(f"{w}.jurisdiction", f"must be one of {sorted(JURISDICTIONS)}")
            for field in ("statute", "punished", "penalty"):
                self.text(fact.get(field), f"{w}.{field}")
            for field in ("in_force", "last_reviewed"):
                if not isinstance(fact.get(field), datetime.date):
                    self.fail(f"{w}.{field}", "must be a date YYYY-MM-DD")
            url = str(fact.get("source_url", ""))
            if not url.startswith("https://"):
                self.fail(f"{w}.source_url", "must be an https:// address")
            elif fact.get("jurisdiction") == "KR" and not KR_ARTICLE_URL.match(url):
                self.fail(
                    f"{w}.source_url", "a Korean fact cites its article: https://www.law.go.kr/법령/<법령명>/제N조"
                )
            elif not re.match(r"^https://[^/]+/.+", url):
                self.fail(f"{w}.source_url", "must point at the provision, not at a home page")
            if not isinstance(fact.get("verify", False), bool):
                self.fail(f"{w}.verify", "must be true or false")
        for i, res in enumerate(data.get("help_resources") or []):
            w = f"{where}.help_resources[{i}]"
            res = self.mapping(res, w)
            self.slug(res.get("key"), f"{w}.key")
            if res.get("jurisdiction") not in HELP_JURISDICTIONS:
                self.fail(f"{w}.jurisdiction", f"must be one of {sorted(HELP_JURISDICTIONS)}")
            for field in ("name", "hours", "purpose"):
                self.text(res.get(field), f"{w}.{field}")
            url = str(res.get("url") or "")
            if url and not url.startswith("https://"):
                self.fail(f"{w}.url", "must be empty or an https:// address")
            if not res.get("phone") and not url:
                self.fail(w, "needs a phone number or a web address")


def paragraph_shape(text: str) -> list[str]:
    """The sequence of paragraphs ('p') and list items ('li') in the markup."""
    shape = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if lines and all(line.lstrip().startswith("- ") for line in lines):
            shape.append(f"ul{len(lines)}")
        elif lines:
            shape.append("p")
    return shape


def read_yaml(path: Path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_content(content_dir: Path = CONTENT_DIR) -> tuple[dict, list[dict]]:
    """Read and validate every content file; raise ContentError listing all problems."""
    facts_path = content_dir / "facts.yaml"
    facts = read_yaml(facts_path) if facts_path.exists() else {"legal_facts": [], "help_resources": []}
    checker = _Checker()
    checker.facts(facts, facts_path.name)
    checker.fact_keys = {f.get("key") for f in facts.get("legal_facts") or [] if isinstance(f, dict)}
    checker.resource_keys = {r.get("key") for r in facts.get("help_resources") or [] if isinstance(r, dict)}
    modules = []
    for path in sorted((content_dir / "modules").glob("*.yaml")):
        data = read_yaml(path)
        checker.module(data, path.name)
        if isinstance(data, dict) and data.get("slug") != path.stem:
            checker.fail(path.name, "slug must equal the file name")
        modules.append(data)
    lessons = {
        f"{m.get('slug')}/{lesson.get('slug')}"
        for m in modules
        if isinstance(m, dict)
        for lesson in m.get("lessons") or []
        if isinstance(lesson, dict)
    }
    for m in modules:
        if isinstance(m, dict) and m.get("parent_lesson") and m["parent_lesson"] not in lessons:
            checker.fail(f"{m.get('slug')}.parent_lesson", f"no lesson {m['parent_lesson']!r}")
    if not checker.problems:
        # The editorial rules read the structure the schema has just vouched for.
        checker.problems += content_rules.check(modules, facts)
    if checker.problems:
        raise ContentError(checker.problems)
    return facts, modules


def load_illustrations(content_dir: Path = CONTENT_DIR, modules: list[dict] | None = None) -> dict[str, list[dict]]:
    """The lesson pictures of content/illustrations.yaml by "module/lesson";
    with the modules, refuses a picture placed after a block its lesson lacks
    (tests/curriculum/test_illustrations.py checks the rest: files, alt text)."""
    path = content_dir / "illustrations.yaml"
    lessons = (read_yaml(path) or {}).get("lessons") or {} if path.exists() else {}
    if modules is not None:
        sizes = {f"{m['slug']}/{lesson['slug']}": len(lesson["body"]) for m in modules for lesson in m["lessons"]}
        checker = _Checker()
        for key, pictures in lessons.items():
            for i, picture in enumerate(pictures):
                where = f"{path.name}: {key}[{i}]"
                after = picture.get("after_block")
                if key not in sizes:
                    checker.fail(where, "no such lesson")
                elif type(after) is not int or not 0 <= after < sizes[key]:
                    checker.fail(where, f"after_block must be a block of the lesson (0-{sizes[key] - 1})")
                checker.text(picture.get("alt"), f"{where}.alt")
        if checker.problems:
            raise ContentError(checker.problems)
    return lessons


def check_file(path: Path) -> list[str]:
    """Problems in one file, checked against facts.yaml if it exists."""
    checker = _Checker()
    facts_path = CONTENT_DIR / "facts.yaml"
    data = read_yaml(path)
    if path.name == "facts.yaml":
        checker.facts(data, path.name)
        return checker.problems
    if facts_path.exists():
        facts = read_yaml(facts_path) or {}
        checker.fact_keys = {f.get("key") for f in facts.get("legal_facts") or [] if isinstance(f, dict)}
        checker.resource_keys = {r.get("key") for r in facts.get("help_resources") or [] if isinstance(r, dict)}
    checker.module(data, path.name)
    if not checker.problems:
        checker.problems += content_rules.check([data], read_yaml(facts_path) if facts_path.exists() else None)
    return checker.problems


if __name__ == "__main__":
    status = 0
    for name in sys.argv[1:]:
        problems = check_file(Path(name))
        for problem in problems:
            print(problem)
        print(f"{name}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
        status |= bool(problems)
    sys.exit(status)
