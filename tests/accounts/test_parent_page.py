"""The family page: each linked child's assigned modules, due dates, lessons
done and passed or not (never answers), "this week your child is learning",
the parent's own course and certificate, and a fixed query budget."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from accounts.models import GuardianConsent, GuardianLink
from classroom.models import Assignment
from curriculum.models import Certificate, LessonPage, LessonProgress, ModulePage, QuizAttempt
from schools.models import Role
from tests.conftest import mfa_login
from tests.factories import ClassroomFactory, EnrollmentFactory, MembershipFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db

FAMILY = "/family/"


def module(slug: str, lang: str = "ko") -> ModulePage:
    return ModulePage.objects.get(slug=slug, locale__language_code=lang)


def lessons_of(page: ModulePage) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(page).live().order_by("path"))


def assign(classroom, slug: str, *, opens_in: int = -7, due_in: int = 7, position: int = 0) -> Assignment:
    today = timezone.localdate()
    return Assignment.objects.create(
        classroom=classroom,
        module=module(slug),
        opens_on=today + timedelta(days=opens_in),
        due_on=today + timedelta(days=due_in),
        position=position,
    )


def finish(student, page: ModulePage, n: int, status=LessonProgress.Status.PASSED) -> None:
    for lesson in lessons_of(page)[:n]:
        LessonProgress.objects.update_or_create(
            student=student,
            lesson=lesson,
            defaults={"module": page, "status": status, "completed_at": timezone.now(), "best_score": 80},
        )


def consent_given(student, guardian) -> None:
    GuardianConsent.objects.create(
        student=student, guardian=guardian, recorded_by=guardian, method="online", decision="given", text_version="t"
    )


# --- Who may open it -------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(FAMILY)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["student", "other_student", "teacher", "counselor", "school_admin"])
def test_other_roles_are_refused(client, cast, who):
    user = getattr(cast, who)
    if who in ("counselor", "school_admin"):
        mfa_login(client, user)
    else:
        client.force_login(user)
    assert client.get(FAMILY).status_code == 403


@pytest.mark.parametrize("who", ["parent", "unlinked_parent"])
def test_parents_open_it(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(FAMILY).status_code == 200


def test_a_parent_without_children_is_asked_to_link_one(client, cast):
    client.force_login(cast.unlinked_parent)
    response = client.get(FAMILY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/family/link/"' in html
    assert 'class="card link-cta"' in html
    assert cast.student.display_name not in html


# --- What it shows -----------------------------------------------------------------


@pytest.fixture
def week(cast):
    """A hand-computed case: the middle-school module is open and 2 of its
    lessons are done; the grade 1-2 module is finished; a third module opens
    next week."""
    middle = module("middle-harm-law-response")
    pictures = module("e12-my-pictures")
    assign(cast.classroom, "middle-harm-law-response", due_in=5, position=1)
    assign(cast.classroom, "e12-my-pictures", opens_in=-14, due_in=-1, position=0)
    assign(cast.classroom, "e34-real-or-fake", opens_in=7, due_in=14, position=2)
    finish(cast.student, middle, 2)
    # A lesson that was only opened is not done.
    LessonProgress.objects.create(student=cast.student, lesson=lessons_of(middle)[2], module=middle)
    finish(cast.student, pictures, len(lessons_of(pictures)), status=LessonProgress.Status.READ)
    return {"middle": middle, "pictures": pictures}


def test_figures_match_a_hand_computed_case(client, cast, week):
    from families.selectors import parent_page

    page = parent_page(cast.parent)
    [child] = page.children
    assert child.student == cast.student
    by_slug = {item.page.slug: item for item in child.assignments}
    middle, pictures, real_or_fake = (
        by_slug["middle-harm-law-response"],
        by_slug["e12-my-pictures"],
        by_slug["e34-real-or-fake"],
    )
    assert (middle.done_count, middle.lesson_count, middle.passed) == (2, 4, False)
    assert (pictures.done_count, pictures.lesson_count, pictures.passed) == (2, 2, True)
    assert (real_or_fake.done_count, real_or_fake.passed) == (0, False)
    # Soonest due first.
    assert [item.page.slug for item in child.assignments] == [
        "e12-my-pictures",
        "middle-harm-law-response",
        "e34-real-or-fake",
    ]
    assert child.counts == {"assigned": 3, "finished": 1, "started": 1, "due_soon": 1, "overdue": 0}

    client.force_login(cast.parent)
    html = client.get("/en" + FAMILY).content.decode()
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert "2 of 2" in rows[0] and "Passed" in rows[0]
    assert "2 of 4" in rows[1] and "Not passed yet" in rows[1]
    assert "0 of 2" in rows[2] and "Opens" in rows[2]
    korean = client.get(FAMILY).content.decode()
    assert "4개 중 2개" in korean and "통과" in korean


def test_this_week_names_the_matching_parent_lesson(client, cast, week):
    client.force_login(cast.parent)
    html = client.get(FAMILY).content.decode()
    talk = week["middle"].parent_lesson
    assert talk.slug == "if-your-child-did-it"
    assert f'href="{talk.url}"' in html
    assert 'class="this-week"' in html
    # The finished module and the one not open yet are not "this week".
    assert html.count('class="this-week"') == 1


def test_english_page_shows_english_titles_and_lessons(client, cast, week):
    client.force_login(cast.parent)
    html = client.get("/en" + FAMILY).content.decode()
    assert module("middle-harm-law-response", "en").title in html
    english_talk = Page.objects.get(
        translation_key=week["middle"].parent_lesson.translation_key, locale__language_code="en"
    )
    assert f'href="{english_talk.url}"' in html
    assert "This week" in html


def test_answers_and_scores_never_reach_the_parent(client, cast, week):
    lesson = lessons_of(week["middle"])[0]
    question = lesson.quiz[0]
    choice = question.value["choices"].bound_blocks[0]
    QuizAttempt.objects.create(
        student=cast.student,
        page=lesson,
        answers={str(question.id): [str(choice.id)]},
        correct_count=3,
        question_count=7,
        score=43,
        passed=False,
        form_token="parent-page-test",
    )
    client.force_login(cast.parent)
    response = client.get(FAMILY)
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.student.display_name in html and 'id="own-course-title"' in html
    assert str(choice.id) not in html
    assert str(question.id) not in html
    assert choice.value["text"] not in html
    assert question.value["prompt"] not in html
    # CSRF tokens are random and may hold "43": leave them out of the search.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    assert "43%" not in html and "43" not in html.split('id="own-course-title"')[0].split("<main")[1]


def test_a_parent_sees_only_their_own_children(client, cast, week):
    stranger_child = StudentFactory(display_name="남의아이")
    EnrollmentFactory(classroom=cast.classroom, student=stranger_child)
    client.force_login(cast.parent)
    own = client.get(FAMILY)
    assert own.status_code == 200
    html = own.content.decode()
    assert cast.student.display_name in html
    assert "남의아이" not in html
    client.force_login(cast.unlinked_parent)
    unlinked = client.get(FAMILY)
    assert unlinked.status_code == 200
    html = unlinked.content.decode()
    assert 'href="/family/link/"' in html
    assert cast.student.display_name not in html
    assert "middle-harm-law-response" not in html


def test_the_parents_own_course_progress_and_certificate(client, cast):
    guide = module("parent-guide")
    client.force_login(cast.parent)
    html = client.get(FAMILY).content.decode()
    assert guide.title in html
    assert "0 of 5" in html or "5개 중 0개" in html
    finish(cast.parent, guide, 5)
    Certificate.objects.create(student=cast.parent, module=guide)
    html = client.get(FAMILY).content.decode()
    assert f'href="{guide.url}certificate/"' in html


def test_a_parent_taking_the_course_has_their_progress_stored(client, cast):
    from tests.curriculum.test_lessons import right_answers

    guide = module("parent-guide")
    lesson = lessons_of(guide)[0]
    client.force_login(cast.parent)
    client.post(lesson.url + "quiz/", right_answers(lesson))
    assert LessonProgress.objects.get(student=cast.parent, lesson=lesson).status == "passed"


def test_consent_status_and_form_for_a_child_under_the_consent_age(client, cast):
    GuardianConsent.objects.filter(student=cast.student).delete()
    client.force_login(cast.parent)
    html = client.get(FAMILY).content.decode()
    assert 'class="notice consent-waiting"' in html
    assert f'href="/family/children/{cast.student.pk}/consent/#consent-text"' in html
    # The decision can be made right here: two equal buttons, nothing ticked.
    form = html.split('class="consent-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="decision" value="given" class="button"' in form
    assert 'name="decision" value="declined" class="button"' in form
    assert f'id="id_child{cast.student.pk}_is_guardian"' in form
    assert "checked" not in form
    consent_given(cast.student, cast.parent)
    response = client.get(FAMILY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "consent-waiting" not in html
    assert 'class="status-line ok"' in html


def test_no_consent_form_for_a_child_old_enough(client, cast):
    GuardianConsent.objects.filter(student=cast.student).delete()
    cast.school.level = "high"
    cast.school.save()
    client.force_login(cast.parent)
    response = client.get(FAMILY)
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.student.display_name in html
    assert "consent-waiting" not in html


# --- Query budget ----------------------------------------------------------------------


def _family_of_three(school, slugs: list[str]):
    parent = UserFactory(is_parent=True)
    teacher = UserFactory()
    MembershipFactory(user=teacher, school=school, role=Role.TEACHER)
    for n in range(3):
        child = StudentFactory()
        MembershipFactory(user=child, school=school, role=Role.STUDENT)
        classroom = ClassroomFactory(school=school, grade=1 + n)
        classroom.teachers.add(teacher)
        EnrollmentFactory(classroom=classroom, student=child)
        GuardianLink.objects.create(guardian=parent, student=child)
        for position, slug in enumerate(slugs):
            assign(classroom, slug, position=position)
            finish(child, module(slug), 1)
    return parent


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_parent_page_queries_do_not_grow_with_assignments(client, cast, prefix):
    few = _family_of_three(cast.school, ["e12-my-pictures"])
    many = _family_of_three(
        cast.school,
        ["e12-my-pictures", "e34-real-or-fake", "e56-deepfakes-and-my-rights", "middle-harm-law-response"],
    )
    client.force_login(few)
    cold = _queries(client, prefix + FAMILY)  # Wagtail's site root paths and the roles are cached after this
    assert cold <= 10, cold
    few_count = _queries(client, prefix + FAMILY)
    client.force_login(many)
    assert _queries(client, prefix + FAMILY) <= cold  # the other parent's roles are read and kept
    many_count = _queries(client, prefix + FAMILY)
    assert few_count == many_count
    assert many_count <= 10, many_count


def test_each_childs_consent_form_has_its_own_ids(client, cast):
    second = StudentFactory()
    EnrollmentFactory(classroom=cast.classroom, student=second)
    GuardianLink.objects.create(guardian=cast.parent, student=second)
    GuardianConsent.objects.filter(student=cast.student).delete()
    client.force_login(cast.parent)
    html = client.get(FAMILY).content.decode()
    assert html.count('class="consent-form"') == 2
    assert f'id="id_child{cast.student.pk}_is_guardian"' in html
    assert f'id="id_child{second.pk}_is_guardian"' in html
    response = client.post(f"/family/children/{second.pk}/consent/", {"decision": "given", "is_guardian": "on"})
    assert response["Location"] == f"/family/#child-{second.pk}"
    assert GuardianConsent.objects.get(student=second).decision == "given"
    assert not GuardianConsent.objects.filter(student=cast.student).exists()
