"""Editorial rules over the curriculum content (see content/STYLE.md).

``content_schema`` checks that each file has the right shape; these rules
check what a reviewer would otherwise have to count by hand: that quiz keys
cannot be guessed from the look of the options, that the youngest pupils get
no negated true/false statements, that every band gets the help lines meant
for it and nothing meant for adults, and that pupils never see a legal fact
nobody has checked. Pure Python, no Django; every problem names the module,
the lesson and the question.

Band-wide rules (longest correct option, share of "true" keys, position of
the key) count the questions of every module of a band together, since a
pupil meets the band as a whole; ``content_schema.load_content`` sees all
modules and applies them per band, ``content_schema.check_file`` applies them
to the one file it is given.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# The correct option may be the longest one (ties count as longest) in at
# most this share of a band's single-choice questions: otherwise "pick the
# longest" scores well without reading.
LONGEST_CORRECT_MAX = 0.35
# Share of true/false questions of a band whose key is "true".
TRUE_SHARE = (0.40, 0.60)
# Shares are meaningless on a handful of items: the band rules apply from this
# many questions of the kind in the band (a single file checked alone with
# fewer is not judged).
MIN_ITEMS = 4
# Primary bands: no single position may hold more than this share of the keys.
POSITION_MAX = 0.5
PRIMARY_BANDS = ("e12", "e34", "e56")
# Pupils of 7-10 misread double negatives: "true" to a negated statement
# means agreeing that something is not so.
NO_NEGATION_BANDS = ("e12", "e34")
# 잘못 ("wrong") is not a negation.
NEGATION = re.compile(r"않|아니|없|(?<!잘)못|(?<![가-힣])안\s|\bnever\b|\bnot\b|n't\b", re.IGNORECASE)

# Help resources by band. StopNCII serves adults only, so no student module
# shows it; Take It Down (images taken under 18) is for the older pupils.
ADULT_ONLY_RESOURCES = {"intl-stopncii"}
TEEN_RESOURCES = {"intl-take-it-down"}
PRIMARY_REQUIRED_RESOURCES = ("kr-117", "kr-1388")
CRISIS_RESOURCE = "kr-109"
CRISIS_BANDS = ("middle", "high")
CRISIS_WORDS = re.compile(r"협박|섹스토션|sextortion|threat", re.IGNORECASE)
# Words kept out of the youngest band's text altogether.
FORBIDDEN_WORDS = {"e12": re.compile(r"섹스토션|sextortion|StopNCII|Take It Down|NCMEC", re.IGNORECASE)}


# An option that points at other options by place ("all of the above",
# "1번과 2번") reads wrong once the choices are shuffled.
POSITION_REFERENCE = re.compile(
    r"위의?\s*(모든|것|보기|두)|모두\s*(맞|정답)|둘\s*다\s*(맞|정답)|[①-⑩]|(?<![0-9])[1-6]\s*번(?![호지째])"
    r"|\b(all|none|both)\s+of\s+the\s+above\b|\boptions?\s+[1-6a-d]\b",
    re.IGNORECASE,
)
FORMS = ("a", "b")


@dataclass
class Item:
    """One form of a question with the place it comes from: form "a" is the
    question itself, form "b" its second form (``alt``), which a pupil meets
    on every other try."""

    module: str
    band: str
    where: str
    question: dict
    form: str = "a"

    @property
    def label(self) -> str:
        return f"{self.module}.{self.where}"


@dataclass
class BandStats:
    single: int = 0
    longest_correct: list[str] = field(default_factory=list)
    true_false: int = 0
    true_keys: int = 0
    positions: Counter = field(default_factory=Counter)

    @property
    def longest_share(self) -> float:
        return len(self.longest_correct) / self.single if self.single else 0.0

    @property
    def true_share(self) -> float:
        return self.true_keys / self.true_false if self.true_false else 0.0


def second_form(q: dict) -> dict | None:
    """A question's second form as a whole question (kind and, unless it has
    its own, explanation from the first form), or None."""
    alt = q.get("alt")
    if not isinstance(alt, dict):
        return None
    return {"kind": q.get("kind"), "explanation": q.get("explanation"), **alt}


def _both_forms(slug: str, band: str, where: str, q: dict) -> Iterator[Item]:
    yield Item(slug, band, where, q)
    alt = second_form(q)
    if alt is not None:
        yield Item(slug, band, f"{where}.alt", alt, form="b")


def questions(module: dict) -> Iterator[Item]:
    """Every question of a module, each form of it: pre-check, post-check and
    lesson quizzes."""
    slug, band = str(module.get("slug")), str(module.get("band"))
    for section in ("precheck", "postcheck"):
        for i, q in enumerate(module.get(section) or []):
            if isinstance(q, dict):
                yield from _both_forms(slug, band, f"{section}[{i}]", q)
    for lesson in module.get("lessons") or []:
        if not isinstance(lesson, dict):
            continue
        for i, q in enumerate(lesson.get("quiz") or []):
            if isinstance(q, dict):
                yield from _both_forms(slug, band, f"lessons[{lesson.get('slug')}].quiz[{i}]", q)


def _choices(q: dict) -> list[dict]:
    return [c for c in q.get("choices") or [] if isinstance(c, dict)]


def _ko(value) -> str:
    return str(value.get("ko", "")) if isinstance(value, dict) else ""


def correct_is_longest(q: dict) -> bool:
    """The correct option is (or ties for) the longest, counted in Korean characters."""
    choices = _choices(q)
    lengths = [len(_ko(c.get("text")).strip()) for c in choices]
    keyed = [n for n, c in zip(lengths, choices, strict=True) if c.get("correct") is True]
    return bool(keyed) and max(keyed) >= max(lengths)


def band_stats(items: Iterable[Item]) -> dict[str, BandStats]:
    stats: dict[str, BandStats] = defaultdict(BandStats)
    for item in items:
        s, q = stats[item.band], item.question
        choices = _choices(q)
        if q.get("kind") == "single":
            s.single += 1
            if correct_is_longest(q):
                s.longest_correct.append(item.label)
            for i, c in enumerate(choices):
                if c.get("correct") is True:
                    s.positions[i] += 1
        elif q.get("kind") == "true_false" and choices:
            s.true_false += 1
            s.true_keys += choices[0].get("correct") is True
    return dict(stats)


def band_problems(modules: Iterable[dict]) -> list[str]:
    """The rules that count a whole band: longest key, true share, key position.
    Each form is judged on its own: a pupil on a retry meets the second forms
    as a whole, so they must not be guessable either."""
    modules = [m for m in modules if isinstance(m, dict)]
    names = defaultdict(list)
    for m in modules:
        names[str(m.get("band"))].append(str(m.get("slug")))
    items = [item for m in modules for item in questions(m)]
    problems = []
    for form in FORMS:
        label = "" if form == "a" else ", second forms"
        stats = band_stats(item for item in items if item.form == form)
        problems += _band_form_problems(stats, names, label)
    return problems


def _band_form_problems(stats: dict[str, BandStats], names: dict[str, list[str]], label: str) -> list[str]:
    problems = []
    for band, s in sorted(stats.items()):
        where = f"band {band} ({', '.join(names[band])}){label}"
        if s.single >= MIN_ITEMS and s.longest_share > LONGEST_CORRECT_MAX:
            problems.append(
                f"{where}: the correct choice is the longest in {len(s.longest_correct)} of {s.single} "
                f"single-choice questions ({s.longest_share:.0%}, at most {LONGEST_CORRECT_MAX:.0%} allowed): "
                + ", ".join(s.longest_correct)
            )
        low, high = TRUE_SHARE
        if s.true_false >= MIN_ITEMS and not low <= s.true_share <= high:
            problems.append(
                f"{where}: {s.true_keys} of {s.true_false} true/false questions have the key 'true' "
                f"({s.true_share:.0%}; keep it between {low:.0%} and {high:.0%})"
            )
        if band in PRIMARY_BANDS and s.single >= MIN_ITEMS:
            position, count = s.positions.most_common(1)[0] if s.positions else (0, 0)
            if count / s.single > POSITION_MAX:
                problems.append(
                    f"{where}: the correct choice is option {position + 1} in {count} of {s.single} "
                    f"single-choice questions (at most {POSITION_MAX:.0%} in one position)"
                )
    return problems


def _texts(value) -> Iterator[str]:
    """Every string inside a piece of content."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)


def _blocks(lesson: dict, kind: str, key: str) -> list:
    return [b.get(key) for b in lesson.get("body") or [] if isinstance(b, dict) and b.get("type") == kind]


def module_problems(module: dict, facts: dict | None = None) -> list[str]:
    """The rules that look at one module: negation, help lines, unverified facts."""
    if not isinstance(module, dict):
        return []
    slug, band, audience = module.get("slug"), module.get("band"), module.get("audience")
    problems = []
    if band in NO_NEGATION_BANDS:
        for item in questions(module):
            prompt = item.question.get("prompt")
            if item.question.get("kind") == "true_false" and isinstance(prompt, dict):
                for lang in ("ko", "en"):
                    found = NEGATION.search(str(prompt.get(lang, "")))
                    if found:
                        problems.append(
                            f"{item.label}: band {band} may not use a negated true/false statement "
                            f"({lang} prompt has {found.group(0).strip()!r}); state it positively"
                        )
    unverified = {
        f.get("key") for f in (facts or {}).get("legal_facts") or [] if isinstance(f, dict) and f.get("verify")
    }
    resource_texts = {
        r.get("key"): list(_texts(r)) for r in (facts or {}).get("help_resources") or [] if isinstance(r, dict)
    }
    for lesson in module.get("lessons") or []:
        if not isinstance(lesson, dict) or not lesson.get("shuffle"):
            continue
        for i, q in enumerate(lesson.get("quiz") or []):
            for form in filter(None, (q, second_form(q)) if isinstance(q, dict) else ()):
                for c in _choices(form):
                    for lang in ("ko", "en"):
                        text = str((c.get("text") or {}).get(lang, "")) if isinstance(c.get("text"), dict) else ""
                        found = POSITION_REFERENCE.search(text)
                        if found:
                            problems.append(
                                f"{slug}.lessons[{lesson.get('slug')}].quiz[{i}]: option {text!r} points at "
                                f"other options by place ({found.group(0)!r}) but the lesson shuffles its "
                                "choices; name the options instead, or set shuffle: false"
                            )
    forbidden_words = FORBIDDEN_WORDS.get(band)
    if forbidden_words:
        for text in _texts({k: v for k, v in module.items() if k != "lessons"}):
            if forbidden_words.search(text):
                problems.append(f"{slug}: band {band} may not mention {forbidden_words.search(text).group(0)!r}")
    for lesson in module.get("lessons") or []:
        if not isinstance(lesson, dict):
            continue
        where = f"{slug}.lessons[{lesson.get('slug')}]"
        resources = set(_blocks(lesson, "help_resource", "resource"))
        if audience == "student":
            for key in sorted(resources & ADULT_ONLY_RESOURCES):
                problems.append(f"{where}: {key} is a service for adults; student lessons may not show it")
            if band in PRIMARY_BANDS:
                for key in sorted(resources & TEEN_RESOURCES):
                    problems.append(f"{where}: {key} is not shown in primary band {band}")
                for key in PRIMARY_REQUIRED_RESOURCES:
                    if key not in resources:
                        problems.append(f"{where}: primary lessons show the help resource {key}")
            if band in CRISIS_BANDS and CRISIS_RESOURCE not in resources:
                if any(CRISIS_WORDS.search(text) for text in _texts(lesson.get("body"))):
                    problems.append(f"{where}: a lesson about threats shows the crisis line {CRISIS_RESOURCE}")
            for key in _blocks(lesson, "legal_fact", "fact"):
                if key in unverified:
                    problems.append(
                        f"{where}: legal fact {key!r} is not verified (verify: true); pupils may not be shown it"
                    )
        if forbidden_words:
            for text in _texts(lesson):
                found = forbidden_words.search(text)
                if found:
                    problems.append(f"{where}: band {band} may not mention {found.group(0)!r}")
                    break
            for key in sorted(resources):
                found = next(filter(None, map(forbidden_words.search, resource_texts.get(key, []))), None)
                if found:
                    problems.append(f"{where}: help resource {key} mentions {found.group(0)!r}, not for band {band}")
    return problems


def check(modules: Iterable[dict], facts: dict | None = None) -> list[str]:
    """All rules over a set of modules (the whole content, or one file)."""
    modules = list(modules)
    problems = []
    for module in modules:
        problems += module_problems(module, facts)
    return problems + band_problems(modules)
