"""In-process measurements against the database named by DATABASE_URL:
SQL queries per page, the median render time of each page, and the time
of a receipt lookup for a wrong and for an unknown code.

Run by bench/run.py once per dataset (small and large); prints one JSON
object. The people measured are chosen the same way in both datasets (a
class of 35, a parent of 3, the counselor of the school with the most
reports), so the query counts can be compared.
"""

import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_platform.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import GuardianLink, User  # noqa: E402
from classroom.models import Assignment, Classroom  # noqa: E402
from curriculum.models import LessonPage  # noqa: E402
from curriculum.quiz import questions_from_stream  # noqa: E402
from schools.models import Membership  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1", "secure": False}


FIRST_VISIT: dict[str, int] = {}


def timed(fn, runs: int, name: str) -> tuple[int, float]:
    """(queries of a request once the caches are warm, median milliseconds
    over `runs` runs). The queries of the very first request, with nothing
    cached for this person or page yet, are kept in FIRST_VISIT."""
    for attempt in ("first", "warm"):
        with CaptureQueriesContext(connection) as ctx:
            response = fn()
        assert response.status_code in (200, 302, 303), (response.status_code, getattr(response, "url", ""))
        if attempt == "first":
            FIRST_VISIT[name] = len(ctx.captured_queries)
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return queries, round(statistics.median(samples), 1) if samples else 0.0


def pick_class() -> Classroom:
    """The first class of 35 with assignments."""
    return (
        Classroom.objects.annotate(n=Count("enrollments", distinct=True), a=Count("assignments", distinct=True))
        .filter(n=35, a__gt=0)
        .order_by("id")
        .first()
    )


def logged_in(user) -> Client:
    client = Client(**HOST)
    client.force_login(user)
    return client


def main(runs: int) -> dict:
    queries, render = {}, {}
    classroom = pick_class()
    student = classroom.enrollments.order_by("id").first().student
    teacher = classroom.teachers.first()
    assignment = Assignment.objects.filter(classroom=classroom).order_by("position", "id").first()
    lesson = LessonPage.objects.child_of(assignment.module).live().order_by("path").first()
    questions = questions_from_stream(lesson.quiz)

    student_client = logged_in(student)
    student_client.get(lesson.url)  # the first visit records "in progress"
    queries["lesson_page"], render["lesson_page"] = timed(lambda: student_client.get(lesson.url), runs, "lesson_page")

    counter = iter(range(10**9))

    def submit():
        data = {"form_token": f"bench-token-{time.time_ns()}-{next(counter)}"}
        for q in questions:
            data[f"q-{q.id}"] = sorted(q.correct_ids)
        return student_client.post(lesson.url + "quiz/", data)

    queries["quiz_submit"], render["quiz_submit"] = timed(submit, runs, "quiz_submit")
    queries["student_home"], render["student_home"] = timed(
        lambda: student_client.get(reverse("student_home")), runs, "student_home"
    )

    teacher_client = logged_in(teacher)
    dashboard = reverse("classroom_dashboard", args=[classroom.pk])
    queries["teacher_dashboard"], render["teacher_dashboard"] = timed(
        lambda: teacher_client.get(dashboard), runs, "teacher_dashboard"
    )

    parent_id = (
        GuardianLink.objects.values("guardian_id").annotate(n=Count("id")).filter(n=3).order_by("guardian_id").first()
    )["guardian_id"]
    parent_client = logged_in(User.objects.get(pk=parent_id))
    queries["parent_home"], render["parent_home"] = timed(
        lambda: parent_client.get(reverse("parent_home")), runs, "parent_home"
    )

    from incidents.models import IncidentReport

    busiest = IncidentReport.objects.values("school_id").annotate(n=Count("id")).order_by("-n", "school_id").first()
    counselor = Membership.objects.filter(school_id=busiest["school_id"], role="counselor").first().user
    _ensure_totp(counselor)
    counselor_client = logged_in(counselor)
    queries["counselor_inbox"], render["counselor_inbox"] = timed(
        lambda: counselor_client.get(reverse("counsel_home")), runs, "counselor_inbox"
    )

    school = classroom.school
    reporter = Client(**HOST)
    # A counselor who still has an unsent "new report" email gets no second
    # one (one query fewer). Start from none waiting, as after the worker's
    # last round, so both datasets count the same path: the one that notifies.
    from django.utils import timezone

    from incidents.models import OutboxMessage

    OutboxMessage.objects.filter(sent_at__isnull=True, recipient__memberships__school=school).update(
        sent_at=timezone.now()
    )

    def report():
        from incidents.forms import form_started_token

        return reporter.post(
            reverse("report_new", args=[school.code]),
            {
                "school": school.code,
                "started": form_started_token(time.time() - 60),
                "website_url": "",
                "category": "fake_of_someone",
                "platform": "",
                "when": "this_week",
                "affected": "friend",
                "staff_involved": "no",
                "urgency": "1",
                "details": f"벤치마크 신고입니다. Benchmark report {time.monotonic_ns()}.",  # never the same report twice
            },
        )

    queries["report_submit"], render["report_submit"] = timed(report, runs, "report_submit")

    anonymous = Client(**HOST)
    anonymous.get(lesson.url)
    queries["lesson_page_anon"], render["lesson_page_anon"] = timed(
        lambda: anonymous.get(lesson.url), runs, "lesson_page_anon"
    )
    queries["office_view"], render["office_view"] = office_view(runs)
    return {
        "queries": queries,
        "queries_first_visit": FIRST_VISIT,
        "render_ms": render,
        "receipt_lookup": receipt_lookup(runs),
        "class_size_queries": class_size_queries(classroom, assignment, lesson),
        "school_import": school_import(200),
        "office_rollup_s": OFFICE_ROLLUP_S,
    }


OFFICE_ROLLUP_S: dict = {}


def office_view(runs: int) -> tuple[int, float]:
    """The education office's page for the office with the most schools,
    read from its rollup (added up once here, as Celery beat would; the
    time that takes is reported as office_rollup_s)."""
    from districts import selectors
    from schools.models import District

    district = District.objects.annotate(n=Count("schools")).order_by("-n", "id").first()
    officer, _ = User.objects.get_or_create(username=f"bench-officer-{district.pk}", defaults={"email": ""})
    district.safety_officers.add(officer)
    _ensure_totp(officer)
    start = time.perf_counter()
    selectors.refresh_rollup(district)
    OFFICE_ROLLUP_S.update(district=district.code, schools=district.n, seconds=round(time.perf_counter() - start, 2))
    client = logged_in(officer)
    url = reverse("office_district", args=[district.code])
    return timed(lambda: client.get(url), runs, "office_view")


def school_import(n: int) -> dict:
    """A file of `n` new schools (a counselor and an admin each) read,
    checked and confirmed, as the officer's two clicks do, in a transaction
    that is rolled back. Seconds, and the queries of the confirmation."""
    from django.db import transaction

    from districts.school_file import parse_school_file
    from districts.services import school_import_confirm, school_import_create
    from schools.models import District

    district = District.objects.order_by("id").first()
    officer, _ = User.objects.get_or_create(username="bench-importer", defaults={"email": ""})
    lines = ["학교명,학교급,학교코드,상담교사,관리자"]
    lines += [f"벤치학교{i},중,B{i:07d},c{i}@bench.example,a{i}@bench.example" for i in range(n)]
    data = "\n".join(lines).encode()
    with transaction.atomic():
        start = time.perf_counter()
        parsed = parse_school_file(data, "schools.csv", district=district)
        assert not parsed.file_errors and not any(row.errors for row in parsed.rows), parsed.file_errors
        school_import = school_import_create(district=district, created_by=officer, filename="s.csv", parsed=parsed)
        with CaptureQueriesContext(connection) as ctx:
            result = school_import_confirm(school_import=school_import, invited_by=officer, site_url="http://bench")
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return {
        "schools": n,
        "created": result.created,
        "invited": result.invited,
        "seconds": round(seconds, 2),
        "confirm_queries": len(ctx.captured_queries),
    }


CLASS_SIZES = (10, 40)


def class_size_queries(model_class: Classroom, assignment: Assignment, lesson: LessonPage) -> dict:
    """Queries of the class consent sheet (page and one save ticking every
    slip) and of the anonymous class learning counts (a first try of a pupil
    without consent, which adds to them, and the dashboard that shows them)
    for a fresh class of 10 and of 40 pupils with no consent, made with the
    platform's own services in a transaction that is rolled back. Each key
    is [10 pupils, 40 pupils]; they must be equal."""
    from django.db import transaction
    from django.utils import timezone

    from classroom.models import Enrollment
    from classroom.student_accounts import student_accounts_create

    teacher = model_class.teachers.first()
    teacher_client = logged_in(teacher)
    questions = questions_from_stream(lesson.quiz)
    result: dict[str, list[int]] = {}
    # A first, unrecorded class warms what a new class touches once per
    # process (routes, content generation): the first run once read 14
    # dashboard queries for 40 pupils where every later run read 9.
    for run, size in enumerate((CLASS_SIZES[0], *CLASS_SIZES)):
        target: dict[str, list[int]] = {} if run == 0 else result
        with transaction.atomic():
            classroom = Classroom.objects.create(
                school=model_class.school, name=f"bench {run} {size}", grade=1, school_year=model_class.school_year
            )
            classroom.teachers.add(teacher)
            student_accounts_create(
                classroom=classroom, rows=[{"name": f"벤치{n:02d}", "number": n} for n in range(1, size + 1)]
            )
            Assignment.objects.create(
                classroom=classroom,
                module=assignment.module,
                opens_on=timezone.localdate(),
                due_on=timezone.localdate() + datetime.timedelta(days=7),
                position=1,
                created_by=teacher,
            )
            pupils = [e.student for e in Enrollment.objects.filter(classroom=classroom).select_related("student")]
            sheet = reverse("class_consent_sheet", args=[classroom.pk])

            def count(fn, name, target=target):
                fn()  # warm: the same state of the caches for both sizes
                with CaptureQueriesContext(connection) as ctx:
                    response = fn()
                assert response.status_code in (200, 302), (name, response.status_code)
                target.setdefault(name, []).append(len(ctx.captured_queries))

            def answer(pupil, token):
                client = logged_in(pupil)
                data = {"form_token": token}
                for q in questions:
                    data[f"q-{q.id}"] = sorted(q.correct_ids)
                return client, data

            # Every pupil but the last answers (no consent: only the class counts grow).
            for index, pupil in enumerate(pupils[:-1]):
                client, data = answer(pupil, f"bench-class-{run}-{size}-{index}")
                client.post(lesson.url + "quiz/", data)
            last, data = answer(pupils[-1], f"bench-class-{run}-{size}-last")
            with CaptureQueriesContext(connection) as ctx:
                response = last.post(lesson.url + "quiz/", data)
            assert response.status_code == 200
            target.setdefault("class_counts_first_try", []).append(len(ctx.captured_queries))
            dashboard = reverse("classroom_dashboard", args=[classroom.pk])
            count(lambda url=dashboard: teacher_client.get(url), "class_counts_dashboard")
            count(lambda url=sheet: teacher_client.get(url), "consent_sheet")
            everyone = {"returned": [str(p.pk) for p in pupils]}
            with CaptureQueriesContext(connection) as ctx:
                response = teacher_client.post(sheet, everyone)
            assert response.status_code == 302
            target.setdefault("consent_sheet_save", []).append(len(ctx.captured_queries))
            transaction.set_rollback(True)
    return result


def receipt_lookup(runs: int) -> dict:
    """Median milliseconds of looking up a wrong receipt that finds a report
    (its lookup key collides) and an unknown one. They must be alike, or the
    time of the answer would tell which codes exist. The collision is made
    in a transaction that is rolled back."""
    from django.db import transaction

    from incidents import receipts, services
    from incidents.models import IncidentReport

    samples = {"wrong_ms": [], "unknown_ms": []}
    codes = {"wrong_ms": "0000000000000001", "unknown_ms": "9999999999999999"}
    with transaction.atomic():
        report = IncidentReport.objects.order_by("id").first()
        IncidentReport.objects.filter(pk=report.pk).update(receipt_lookup=receipts.lookup_key(codes["wrong_ms"]))
        services.report_for_receipt(codes["unknown_ms"])  # the decoy hash is made once per process
        # Interleaved, so that load from elsewhere on the machine hits both alike.
        for _ in range(max(runs // 5, 3)):
            for key, code in codes.items():
                start = time.perf_counter()
                services.report_for_receipt(code)
                samples[key].append((time.perf_counter() - start) * 1000)
        transaction.set_rollback(True)
    result = {key: round(statistics.median(times), 1) for key, times in samples.items()}
    result["ratio"] = round(result["wrong_ms"] / result["unknown_ms"], 2) if result["unknown_ms"] else None
    return result


def _ensure_totp(user) -> None:
    """Counselors need a second factor before their pages; force_login skips
    the login stage, so give the account an authenticator."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--class-sizes"]:  # only the class-size counts, on any database with a class
        _classroom = pick_class() or Classroom.objects.filter(assignments__isnull=False).order_by("id").first()
        _assignment = Assignment.objects.filter(classroom=_classroom).order_by("position", "id").first()
        _lesson = LessonPage.objects.child_of(_assignment.module).live().order_by("path").first()
        print(json.dumps(class_size_queries(_classroom, _assignment, _lesson)))
    else:
        print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)))
