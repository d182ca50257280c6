"""The editorial rules of content/STYLE.md: the real content keeps them, and
each rule refuses a module that breaks it, naming the module and question.

Pure tests on the files (no database), except the last ones, which read the
help lines through Django's translations."""

import copy
import shutil

import pytest
import yaml

from curriculum import content_rules
from curriculum.content_schema import CONTENT_DIR, ContentError, check_file, load_content, read_yaml

BANDS = ("e12", "e34", "e56", "middle", "high", "parent", "teacher")


def real_modules() -> list[dict]:
    return [read_yaml(p) for p in sorted((CONTENT_DIR / "modules").glob("*.yaml"))]


def real_facts() -> dict:
    return read_yaml(CONTENT_DIR / "facts.yaml")


def text(ko: str, en: str = "text") -> dict:
    return {"ko": ko, "en": en}


def single(correct_at: int, texts: list[str], prompt: str = "무엇일까요?") -> dict:
    return {
        "kind": "single",
        "prompt": text(prompt),
        "explanation": text("설명"),
        "choices": [
            {"text": text(t), "correct": i == correct_at, "feedback": text("왜 그런지")} for i, t in enumerate(texts)
        ],
    }


def true_false(prompt: str, key: bool, en: str = "A statement.") -> dict:
    return {
        "kind": "true_false",
        "prompt": text(prompt, en),
        "explanation": text("설명"),
        "choices": [
            {"text": text("맞아요", "True"), "correct": key, "feedback": text("왜")},
            {"text": text("아니에요", "False"), "correct": not key, "feedback": text("왜")},
        ],
    }


def balanced_quiz() -> list[dict]:
    """Six questions that keep every band rule: keys in three positions, never the longest, half true."""
    return [
        single(0, ["짧은 답", "조금 더 긴 오답이에요"]),
        single(1, ["조금 더 긴 오답이에요", "짧은 답", "오답"]),
        single(2, ["오답", "조금 더 긴 오답이에요", "짧은 답"]),
        single(0, ["짧은 답", "조금 더 긴 오답이에요"]),
        true_false("사진은 먼저 물어보고 찍어요.", True),
        true_false("이상한 사진은 혼자 참아요.", False),
        true_false("친구의 '싫어'를 지켜요.", True),
        true_false("비밀이라면 어른에게도 숨겨요.", False),
    ]


def module(band: str = "e12", audience: str = "student", quiz=None, body=None) -> dict:
    return {
        "slug": f"{band}-test",
        "audience": audience,
        "band": band,
        "lessons": [
            {
                "slug": "lesson-one",
                "body": body
                if body is not None
                else [
                    {"type": "text", "ko": "본문", "en": "Body"},
                    {"type": "help_resource", "resource": "kr-117"},
                    {"type": "help_resource", "resource": "kr-1388"},
                ],
                "quiz": balanced_quiz() if quiz is None else quiz,
            }
        ],
    }


def problems_of(*modules, facts=None) -> list[str]:
    return content_rules.check(list(modules), real_facts() if facts is None else facts)


# --- the real content ------------------------------------------------------


def test_the_real_content_keeps_every_rule():
    load_content()  # raises ContentError with every problem
    assert problems_of(*real_modules()) == []


@pytest.mark.parametrize("band", BANDS)
def test_each_band_keeps_the_quiz_shares_over_all_its_modules(band):
    modules = [m for m in real_modules() if m["band"] == band]
    stats = content_rules.band_stats(item for m in modules for item in content_rules.questions(m))[band]
    assert stats.single >= content_rules.MIN_ITEMS and stats.true_false >= content_rules.MIN_ITEMS
    assert stats.longest_share <= content_rules.LONGEST_CORRECT_MAX, stats.longest_correct
    low, high = content_rules.TRUE_SHARE
    assert low <= stats.true_share <= high


@pytest.mark.parametrize("path", sorted((CONTENT_DIR / "modules").glob("*.yaml")), ids=lambda p: p.stem)
def test_each_file_passes_the_one_file_check(path):
    assert check_file(path) == []


def test_the_balanced_test_module_keeps_every_rule():
    assert problems_of(module()) == []


# --- each rule refuses a bad module ----------------------------------------


def test_it_refuses_a_band_where_the_longest_option_is_usually_the_key():
    quiz = balanced_quiz()
    for q in quiz[:4]:
        for c in q["choices"]:
            if c["correct"]:
                c["text"]["ko"] = "정답이 가장 길고 자세하게 적혀 있어요"
    problems = problems_of(module(quiz=quiz))
    assert any("band e12 (e12-test)" in p and "longest in 4 of 4" in p for p in problems), problems
    assert any("e12-test.lessons[lesson-one].quiz[0]" in p for p in problems)


def test_the_longest_rule_counts_every_module_of_a_band_together():
    a, b = module(quiz=balanced_quiz()), module(quiz=balanced_quiz())
    b["slug"] = "e12-second"
    for q in b["lessons"][0]["quiz"][:4]:
        for c in q["choices"]:
            if c["correct"]:
                c["text"]["ko"] = "정답이 가장 길고 자세하게 적혀 있어요"
    # 4 of 8 across the band (50%): refused, though module a alone is fine
    problems = content_rules.band_problems([a, b])
    assert any("band e12 (e12-test, e12-second)" in p and "4 of 8" in p for p in problems), problems


def test_a_tie_for_the_longest_counts_as_longest():
    assert content_rules.correct_is_longest(single(0, ["같은 길이", "같은 길이"]))
    assert not content_rules.correct_is_longest(single(0, ["짧다", "조금 더 길다"]))


def test_it_refuses_a_band_whose_true_false_keys_are_mostly_false():
    quiz = balanced_quiz()[:4] + [true_false("먼저 물어봐요.", False) for _ in range(4)]
    problems = problems_of(module(quiz=quiz))
    assert any("0 of 4 true/false questions have the key 'true'" in p for p in problems), problems


def test_the_true_share_is_not_judged_on_fewer_than_the_minimum():
    quiz = balanced_quiz()[:4] + [true_false("먼저 물어봐요.", False) for _ in range(content_rules.MIN_ITEMS - 1)]
    assert not any("true/false" in p for p in problems_of(module(quiz=quiz)))


@pytest.mark.parametrize(
    ("ko", "en"),
    [
        ("친구 사진은 묻지 않아도 돼요.", "A statement."),
        ("그건 내 잘못이 아니에요.", "A statement."),
        ("비밀이면 말하면 안 돼요.", "A statement."),
        ("사진을 찍어요.", "I don't need to ask."),
        ("사진을 찍어요.", "It is never my fault."),
    ],
)
def test_it_refuses_a_negated_true_false_statement_for_young_pupils(ko, en):
    quiz = balanced_quiz()
    quiz[4] = true_false(ko, True, en)
    problems = problems_of(module(quiz=quiz))
    assert any("e12-test.lessons[lesson-one].quiz[4]" in p and "negated" in p for p in problems), problems


def test_negated_statements_are_allowed_from_e56_and_wrong_is_not_a_negation():
    quiz = balanced_quiz()
    quiz[4] = true_false("보기만 한 것은 범죄가 아니에요.", False)
    quiz[5] = true_false("잘못한 사람은 퍼뜨린 사람이에요.", True)
    assert not any("negated" in p for p in problems_of(module(band="e56", quiz=quiz)))
    assert not any("negated" in p for p in problems_of(module(band="e12", quiz=[quiz[5]])))


def test_it_refuses_a_primary_band_whose_key_always_sits_in_the_same_place():
    quiz = [single(1, ["오답이 더 길어요", "답", "또 다른 오답이에요"]) for _ in range(4)] + balanced_quiz()[4:]
    problems = problems_of(module(quiz=quiz))
    assert any("option 2 in 4 of 4" in p for p in problems), problems


@pytest.mark.parametrize("resource", ["intl-take-it-down", "intl-stopncii"])
def test_it_refuses_removal_services_for_older_people_in_grade_1_to_2(resource):
    m = module()
    m["lessons"][0]["body"].append({"type": "help_resource", "resource": resource})
    problems = problems_of(m)
    assert any(f"e12-test.lessons[lesson-one]: {resource}" in p for p in problems), problems


def test_it_refuses_stopncii_in_any_student_lesson():
    m = module(band="high")
    m["lessons"][0]["body"].append({"type": "help_resource", "resource": "intl-stopncii"})
    assert any("intl-stopncii is a service for adults" in p for p in problems_of(m))


def test_it_refuses_the_word_sextortion_in_grade_1_to_2():
    m = module()
    m["lessons"][0]["body"][0]["ko"] = "섹스토션이란 무엇일까요?"
    assert any("may not mention '섹스토션'" in p for p in problems_of(m))


def test_it_refuses_a_help_resource_whose_text_is_not_for_grade_1_to_2():
    facts = copy.deepcopy(real_facts())
    next(r for r in facts["help_resources"] if r["key"] == "kr-117")["purpose"]["ko"] = "섹스토션 신고"
    assert any("help resource kr-117 mentions" in p for p in problems_of(module(), facts=facts))


def test_it_refuses_a_primary_lesson_without_1388():
    m = module(body=[{"type": "help_resource", "resource": "kr-117"}])
    assert any("primary lessons show the help resource kr-1388" in p for p in problems_of(m))


def test_it_refuses_a_lesson_about_threats_in_middle_school_without_109():
    m = module(band="middle", body=[{"type": "text", "ko": "협박을 받으면", "en": "If you are threatened"}])
    assert any("crisis line kr-109" in p for p in problems_of(m))
    m["lessons"][0]["body"].append({"type": "help_resource", "resource": "kr-109"})
    assert not any("kr-109" in p for p in problems_of(m))


def test_it_refuses_an_unverified_fact_in_a_student_module_but_not_for_teachers():
    unverified = next(f["key"] for f in real_facts()["legal_facts"] if f["verify"])
    student = module(band="high")
    student["lessons"][0]["body"].append({"type": "legal_fact", "fact": unverified})
    assert any(f"legal fact {unverified!r} is not verified" in p for p in problems_of(student))
    teacher = module(band="teacher", audience="teacher")
    teacher["lessons"][0]["body"].append({"type": "legal_fact", "fact": unverified})
    assert not any("not verified" in p for p in problems_of(teacher))


# --- the loader refuses, end to end -----------------------------------------


def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def rewrite(path, change):
    data = read_yaml(path)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_load_content_refuses_a_negated_true_false_item_in_e12(tmp_path):
    content = content_copy(tmp_path)

    def negate(data):
        data["precheck"][0]["prompt"]["ko"] = "친구 사진은 묻지 않아도 보내요."

    rewrite(content / "modules" / "e12-my-pictures.yaml", negate)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert any(p.startswith("e12-my-pictures.precheck[0]") and "negated" in p for p in caught.value.problems)


def test_load_content_refuses_an_unverified_fact_shown_to_pupils(tmp_path):
    content = content_copy(tmp_path)

    def add_fact(data):
        data["lessons"][0]["body"].append({"type": "legal_fact", "fact": "kr-sva-14-3-threaten"})

    rewrite(content / "modules" / "middle-harm-law-response.yaml", add_fact)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert any("kr-sva-14-3-threaten' is not verified" in p for p in caught.value.problems)


def test_load_content_refuses_a_korean_fact_that_cites_a_home_page(tmp_path):
    content = content_copy(tmp_path)
    rewrite(content / "facts.yaml", lambda d: d["legal_facts"][0].update(source_url="https://www.law.go.kr/"))
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert any("(kr-sva-14-2-create).source_url" in p for p in caught.value.problems)


def test_every_korean_fact_cites_an_article_and_every_checked_fact_a_review_date():
    for fact in real_facts()["legal_facts"]:
        if fact["jurisdiction"] == "KR":
            assert "/법령/" in fact["source_url"] and "/제" in fact["source_url"], fact["key"]
        assert fact["last_reviewed"], fact["key"]


# --- help lines of the site and of the lessons agree ------------------------


def test_1377_has_the_same_name_and_hours_on_the_site_and_in_the_lessons():
    from django.utils import translation

    from curriculum.help_lines import KOREA

    line = next(h for h in KOREA if h.number == "1377")
    resource = next(r for r in real_facts()["help_resources"] if r["phone"] == "1377")
    for lang in ("ko", "en"):
        with translation.override(lang):
            assert str(line.name) == resource["name"][lang]
            assert str(line.hours) == resource["hours"][lang]


def test_the_site_help_lines_include_youth_counseling_and_the_crisis_line():
    from curriculum.help_lines import KOREA

    assert {"1388", "109"} <= {h.number for h in KOREA}


# --- one word for one idea (content/STYLE.md, "Terms") ----------------------

RETIRED_TERMS = ["조력자", "upstander", "적극적인 방관자", "victimization", "victimisation"]
BRITISH_SPELLINGS = [
    "counselling",
    "rumour",
    "offence",
    "behaviour",
    "recognise",
    "memorise",
    "organisation",
    "apologis",
]


def all_content_text() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in [CONTENT_DIR / "facts.yaml", *(CONTENT_DIR / "modules").glob("*.yaml")]
    )


@pytest.mark.parametrize("word", RETIRED_TERMS + BRITISH_SPELLINGS)
def test_the_content_uses_one_term_and_us_spelling(word):
    assert word.lower() not in all_content_text().lower()


def test_the_parent_scripts_follow_the_student_bands():
    lesson = next(
        lesson
        for m in real_modules()
        if m["slug"] == "parent-guide"
        for lesson in m["lessons"]
        if lesson["slug"] == "talking-by-age"
    )
    titles = [b["title"]["ko"] for b in lesson["body"] if b["type"] == "scenario"]
    assert [t.split(":")[0] for t in titles] == ["초1–2", "초3–4", "초5–6", "중학생(중)", "고등학생(고)"]


# --- second forms and shuffling -----------------------------------------------


def with_second_forms(quiz: list[dict], make) -> list[dict]:
    """The quiz with a second form made by ``make(question)`` under each question."""
    return [{**q, "alt": make(q)} for q in quiz]


def test_the_real_second_forms_keep_the_band_shares_on_their_own():
    items = [item for m in real_modules() for item in content_rules.questions(m) if item.form == "b"]
    stats = content_rules.band_stats(items)
    assert sorted(stats) == sorted(BANDS)
    low, high = content_rules.TRUE_SHARE
    for band, s in stats.items():
        assert s.longest_share <= content_rules.LONGEST_CORRECT_MAX, (band, s.longest_correct)
        assert low <= s.true_share <= high, band


def test_every_lesson_quiz_question_of_the_real_content_has_a_second_form():
    for m in real_modules():
        for lesson in m["lessons"]:
            for i, q in enumerate(lesson.get("quiz") or []):
                assert isinstance(q.get("alt"), dict), f"{m['slug']}.{lesson['slug']}.quiz[{i}]"
                assert q["alt"]["prompt"] != q["prompt"]


def test_every_lesson_of_the_real_content_shuffles_its_choices():
    """No option of the content points at another by place, so every lesson
    shuffles (content_rules refuses a place reference in a shuffled lesson)."""
    assert [
        (m["slug"], lesson["slug"]) for m in real_modules() for lesson in m["lessons"] if not lesson["shuffle"]
    ] == []


def test_load_content_refuses_a_lesson_question_without_a_second_form(tmp_path):
    content = content_copy(tmp_path)
    rewrite(content / "modules" / "e12-my-pictures.yaml", lambda d: d["lessons"][0]["quiz"][1].pop("alt"))
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert any(
        "e12-my-pictures" in p and "quiz[1]" in p and "needs a second form" in p for p in caught.value.problems
    ), caught.value.problems


def test_load_content_refuses_a_second_form_that_repeats_the_prompt_or_changes_the_kind(tmp_path):
    content = content_copy(tmp_path)

    def spoil(data):
        first, second = data["lessons"][0]["quiz"][:2]
        first["alt"]["prompt"] = first["prompt"]
        second["alt"]["kind"] = "single"

    rewrite(content / "modules" / "e12-my-pictures.yaml", spoil)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert any("quiz[0].alt.prompt" in p and "other words" in p for p in caught.value.problems)
    assert any("quiz[1].alt.kind" in p for p in caught.value.problems)


def test_the_second_forms_are_judged_on_their_own():
    def longest_key(q):
        if q["kind"] != "single":
            return q
        return single(0, ["가장 길고 조심스러워 보이는 정답이에요", "짧은 오답", "오답"], prompt="다르게 물어요")

    quiz = with_second_forms(balanced_quiz(), longest_key)
    problems = problems_of(module(quiz=quiz))
    assert any("second forms" in p and "longest" in p for p in problems), problems
    assert not any("longest" in p and "second forms" not in p for p in problems), "form A still keeps the rule"


def test_the_true_share_of_the_second_forms_is_judged_on_their_own():
    def all_false(q):
        return true_false("비밀이라면 어른에게도 숨겨요.", False) if q["kind"] == "true_false" else q

    problems = problems_of(module(quiz=with_second_forms(balanced_quiz(), all_false)))
    assert any("second forms" in p and "true/false" in p for p in problems), problems


def test_it_refuses_a_negated_second_form_for_young_pupils():
    def negated(q):
        return true_false("친구 사진은 묻지 않아도 돼요.", True) if q["kind"] == "true_false" else q

    problems = problems_of(module(quiz=with_second_forms(balanced_quiz(), negated)))
    assert any(".alt: band e12 may not use a negated" in p for p in problems), problems


@pytest.mark.parametrize("text", ["위의 모든 것", "1번과 2번 모두", "All of the above"])
def test_a_shuffled_lesson_may_not_point_at_options_by_place(text):
    quiz = balanced_quiz()
    quiz[1] = single(1, ["조금 더 긴 오답이에요", "짧은 답", text])
    shuffled = module(quiz=quiz)
    shuffled["lessons"][0]["shuffle"] = True
    assert any("points at other options by place" in p for p in problems_of(shuffled))
    shuffled["lessons"][0]["shuffle"] = False
    assert not any("points at other options by place" in p for p in problems_of(shuffled))


def test_a_key_point_may_carry_one_of_the_four_icons_only(tmp_path):
    content = content_copy(tmp_path)

    def bad_icon(data):
        body = data["lessons"][0]["body"]
        next(b for b in body if b["type"] == "key_point")["icon"] = "smile"
        next(b for b in body if b["type"] == "text")["icon"] = "stop"

    rewrite(content / "modules" / "e12-my-pictures.yaml", bad_icon)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    assert sum("only a key_point may have an icon" in p for p in caught.value.problems) == 2


def test_the_network_act_removal_fact_is_an_article_and_kept_from_pupils_until_checked():
    fact = next(f for f in real_facts()["legal_facts"] if f["key"] == "kr-network-44-2-removal-request")
    assert fact["source_url"].endswith("/법령/정보통신망이용촉진및정보보호등에관한법률/제44조의2")
    assert fact["verify"] is True, "checked only against secondary copies: not shown to pupils"
    shown_in = {
        m["slug"]
        for m in real_modules()
        for lesson in m["lessons"]
        for b in lesson["body"]
        if b.get("fact") == "kr-network-44-2-removal-request"
    }
    assert shown_in == {"teacher-playbook", "parent-guide"}
