"""manage.py seed_scale: a synthetic district for measuring, built with bulk
inserts (an education office with N schools and M students, a year of
assignments, attempts and progress, and incident reports).

It writes into whatever database DATABASE_URL names and refuses to run
where demo data is not allowed (production). Every synthetic person has the
same password, printed at the end, so load tests can log in as anyone.
"""

import random
import time
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.consent import CONSENT_TEXT_VERSION
from accounts.models import GuardianConsent, GuardianLink, User
from classroom.models import Assignment, Classroom, Enrollment
from curriculum.models import LessonPage, LessonProgress, ModulePage, QuizAttempt
from curriculum.quiz import questions_from_stream
from incidents import receipts
from incidents.models import Category, IncidentReport, Status, Urgency
from schools.models import District, Membership, Role, School

BATCH = 5000
NATIONAL_OFFICES = 17
NATIONAL_SCHOOLS = 12_000
NATIONAL_PUPILS = 1_000_000
CLASS_SIZE = 35
PASSWORD = "scale-pass-2026"  # noqa: S105 - synthetic data for benchmarks only
LEVEL_BANDS = {
    School.Level.ELEMENTARY: ["e12", "e34", "e56"],
    School.Level.MIDDLE: ["middle", "e56"],
    School.Level.HIGH: ["high", "middle"],
}


class Command(BaseCommand):
    help = "Build a synthetic district with bulk inserts (benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=200)
        parser.add_argument("--students", type=int, default=100_000)
        parser.add_argument("--reports", type=int, default=None, help="Incident reports (default: students / 5).")
        parser.add_argument(
            "--small", action="store_true", help="A quick variant: 2 schools, 420 students, 100 reports."
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--national",
            action="store_true",
            help="Korea at scale: 17 offices, 12,000 schools, 1,000,000 pupils (written with COPY).",
        )
        parser.add_argument(
            "--fraction",
            type=float,
            default=1.0,
            help="With --national: build this share of the national size (e.g. 0.1: 1,200 schools, 100,000 pupils).",
        )

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False) and not getattr(settings, "SEED_SCALE_ALLOWED", False):
            raise CommandError(
                "seed_scale refuses to run here: synthetic people with a known password must never exist in production."
            )
        if options["small"]:
            options.update(schools=2, students=420, reports=100)
        if options["national"]:
            fraction = options["fraction"]
            if not 0 < fraction <= 1:
                raise CommandError("--fraction must be above 0 and at most 1.")
            options.update(schools=round(NATIONAL_SCHOOLS * fraction), students=round(NATIONAL_PUPILS * fraction))
        schools, students = options["schools"], options["students"]
        reports = options["reports"] if options["reports"] is not None else students // 5
        if schools < 1 or students < schools * CLASS_SIZE:
            raise CommandError(f"Need at least one school and {CLASS_SIZE} students per school.")
        self.rng = random.Random(options["seed"])
        started = time.monotonic()
        if not ModulePage.objects.exists():
            call_command("load_curriculum", verbosity=0)
        self.password_hash = make_password(PASSWORD)
        if options["national"]:
            if connection.vendor != "postgresql":
                raise CommandError("--national writes with PostgreSQL's COPY: point DATABASE_URL at PostgreSQL.")
            from ..national import build_national

            counts = build_national(self, schools, students, reports)
        else:
            counts = self._build(schools, students, reports)
        counts["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
        self.stdout.write(f"Every synthetic person's password: {PASSWORD}")

    # -- building ---------------------------------------------------------

    def _users(self, prefix: str, n: int, **fields) -> list[int]:
        now = timezone.now()
        users = [
            User(
                username=f"{prefix}{i:06d}",
                password=self.password_hash,
                display_name=f"{prefix}{i}",
                date_joined=now,
                **fields,
            )
            for i in range(n)
        ]
        for start in range(0, n, BATCH):
            User.objects.bulk_create(users[start : start + BATCH], batch_size=BATCH)
        return list(User.objects.filter(username__startswith=prefix).order_by("username").values_list("id", flat=True))

    def _build(self, n_schools: int, n_students: int, n_reports: int) -> dict:
        tag = f"s{timezone.now():%H%M%S}"
        modules = self._modules()
        with transaction.atomic():
            district = District.objects.create(name=f"Scale office {tag}", code=f"SCALE-{tag}")
            levels = [School.Level.ELEMENTARY, School.Level.MIDDLE, School.Level.HIGH]
            School.objects.bulk_create(
                School(
                    name=f"Scale school {i}", code=f"Z{tag[-5:]}{i:03d}"[:12], district=district, level=levels[i % 3]
                )
                for i in range(n_schools)
            )
            schools = list(School.objects.filter(district=district).order_by("id"))
            per_school = n_students // n_schools
            classes_per_school = max(1, per_school // CLASS_SIZE)
            teacher_ids = self._users(f"{tag}-t", n_schools * classes_per_school, email="")
            counselor_ids = self._users(f"{tag}-c", n_schools, email="")
            admin_ids = self._users(f"{tag}-a", n_schools, email="")
            student_ids = self._users(f"{tag}-s", n_students, email="")
            parent_ids = self._users(f"{tag}-p", n_students // 3, email="", is_parent=True)

            memberships, classrooms = [], []
            for si, school in enumerate(schools):
                memberships.append(Membership(user_id=counselor_ids[si], school=school, role=Role.COUNSELOR))
                memberships.append(Membership(user_id=admin_ids[si], school=school, role=Role.SCHOOL_ADMIN))
                for ci in range(classes_per_school):
                    memberships.append(
                        Membership(user_id=teacher_ids[si * classes_per_school + ci], school=school, role=Role.TEACHER)
                    )
                    grade = (ci % (6 if school.level == School.Level.ELEMENTARY else 3)) + 1
                    classrooms.append(
                        Classroom(
                            school=school,
                            name=f"{grade}-{ci + 1}",
                            grade=grade,
                            school_year=2026,
                            join_code=f"{tag[-4:]}{si:03d}{ci:03d}"[-8:].upper().replace("0", "A"),
                        )
                    )
            Classroom.objects.bulk_create(classrooms, batch_size=BATCH)
            classrooms = list(
                Classroom.objects.filter(school__district=district).select_related("school").order_by("id")
            )
            Classroom.teachers.through.objects.bulk_create(
                Classroom.teachers.through(classroom_id=c.pk, user_id=teacher_ids[i]) for i, c in enumerate(classrooms)
            )
            enrollments = []
            for i, student_id in enumerate(student_ids):
                classroom = classrooms[min(i // CLASS_SIZE, len(classrooms) - 1)]
                enrollments.append(
                    Enrollment(classroom=classroom, student_id=student_id, student_number=(i % CLASS_SIZE) + 1)
                )
                memberships.append(Membership(user_id=student_id, school_id=classroom.school_id, role=Role.STUDENT))
            Membership.objects.bulk_create(memberships, batch_size=BATCH)
            Enrollment.objects.bulk_create(enrollments, batch_size=BATCH)
            # Nine in ten families have returned the school's paper consent, so
            # those students' results are stored (the rest are shown, not kept).
            GuardianConsent.objects.bulk_create(
                (
                    GuardianConsent(
                        student_id=sid,
                        recorded_by_id=teacher_ids[min(i // CLASS_SIZE, len(classrooms) - 1)],
                        method=GuardianConsent.Method.PAPER,
                        decision=GuardianConsent.Decision.GIVEN,
                        text_version=CONSENT_TEXT_VERSION,
                    )
                    for i, sid in enumerate(student_ids)
                    if i % 10 != 9
                ),
                batch_size=BATCH,
            )
            GuardianLink.objects.bulk_create(
                (
                    GuardianLink(guardian_id=parent_ids[i // 3], student_id=sid)
                    for i, sid in enumerate(student_ids[: len(parent_ids) * 3])
                ),
                batch_size=BATCH,
            )
            assignments = self._assign(classrooms, modules)
        counts = self._progress(enrollments, assignments, modules)
        counts.update(schools=len(schools), students=n_students, classes=len(classrooms), assignments=len(assignments))
        counts["reports"] = self._reports(schools, n_reports)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        return counts

    def _modules(self) -> dict[str, list]:
        modules = {}
        for module in ModulePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE, audience="student"):
            lessons = list(LessonPage.objects.child_of(module).live().order_by("path"))
            modules.setdefault(module.band, []).append(
                (module, [(lesson, questions_from_stream(lesson.quiz)) for lesson in lessons])
            )
        return modules

    def _assign(self, classrooms, modules) -> list[Assignment]:
        start = date(2026, 3, 2)
        assignments = []
        for classroom in classrooms:
            for position, band in enumerate(LEVEL_BANDS[classroom.school.level]):
                for module, _lessons in modules.get(band, []):
                    opens = start + timedelta(days=30 * position)
                    assignments.append(
                        Assignment(
                            classroom=classroom,
                            module=module,
                            opens_on=opens,
                            due_on=opens + timedelta(days=21),
                            position=position,
                        )
                    )
        Assignment.objects.bulk_create(assignments, batch_size=BATCH)
        return assignments

    def _progress(self, enrollments, assignments, modules) -> dict:
        by_class: dict[int, list] = {}
        for a in assignments:
            by_class.setdefault(a.classroom_id, []).append(a)
        lessons_of = {m.pk: lessons for band in modules.values() for m, lessons in band}
        now = timezone.now()
        progress_rows, attempt_rows = [], []
        n_progress = n_attempts = 0

        def flush():
            nonlocal progress_rows, attempt_rows
            LessonProgress.objects.bulk_create(progress_rows, batch_size=BATCH)
            QuizAttempt.objects.bulk_create(attempt_rows, batch_size=BATCH)
            progress_rows, attempt_rows = [], []

        for e in enrollments:
            for a in by_class.get(e.classroom_id, []):
                engagement = self.rng.random()
                for lesson, questions in lessons_of[a.module_id]:
                    if self.rng.random() > engagement:
                        break
                    tries = self.rng.choice((1, 1, 1, 2, 2, 3))
                    best = 0
                    for t in range(tries):
                        answers, correct = {}, 0
                        for q in questions:
                            right = self.rng.random() < 0.55 + 0.2 * t
                            chosen = (
                                sorted(q.correct_ids)
                                if right
                                else [self.rng.choice(sorted(q.choice_ids - q.correct_ids))]
                            )
                            answers[q.id] = chosen
                            correct += right
                        score = correct * 100 // max(1, len(questions))
                        best = max(best, score)
                        attempt_rows.append(
                            QuizAttempt(
                                student_id=e.student_id,
                                page_id=lesson.pk,
                                kind="quiz",
                                answers=answers,
                                correct_count=correct,
                                question_count=len(questions),
                                score=score,
                                passed=score >= lesson.pass_mark,
                                form_token=f"seed-{lesson.pk}-{t}",
                            )
                        )
                    n_attempts += tries
                    passed = best >= lesson.pass_mark
                    progress_rows.append(
                        LessonProgress(
                            student_id=e.student_id,
                            lesson_id=lesson.pk,
                            module_id=a.module_id,
                            status="passed" if passed else "in_progress",
                            attempts=tries,
                            best_score=best,
                            last_score=best,
                            completed_at=now if passed else None,
                        )
                    )
                    n_progress += 1
            if len(attempt_rows) > BATCH * 4:
                flush()
        flush()
        return {"progress": n_progress, "attempts": n_attempts}

    def _reports(self, schools, n_reports: int) -> int:
        """Incident reports spread over the year and the schools. Content is
        encrypted like real reports; one slow receipt hash is shared, since
        nobody will follow these reports up, but every lookup key is real."""
        if not n_reports:
            return 0
        shared_hash = receipts.hash_receipt(receipts.new_receipt())
        statuses = [Status.NEW, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REFERRED, Status.CLOSED]
        now = timezone.now()
        rows = []
        for i in range(n_reports):
            school = schools[self.rng.randrange(len(schools))]
            created = now - timedelta(minutes=self.rng.randrange(365 * 24 * 60))
            status = self.rng.choice(statuses)
            rows.append(
                IncidentReport(
                    school=school,
                    district_id=school.district_id,
                    category=self.rng.choice(Category.values),
                    when="this_week",
                    affected="friend",
                    staff_involved="no",
                    urgency=self.rng.choice(Urgency.values),
                    details=f"synthetic report {i}",
                    receipt_lookup=receipts.lookup_key(receipts.new_receipt()),
                    receipt_hash=shared_hash,
                    status=status,
                    created_at=created,
                    acknowledged_at=None if status == Status.NEW else created + timedelta(hours=2),
                    closed_at=created + timedelta(days=7) if status == Status.CLOSED else None,
                )
            )
        IncidentReport.objects.bulk_create(rows, batch_size=2000)
        return n_reports
