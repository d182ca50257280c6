"""seed_scale --national: Korea at scale (17 education offices, 12,000
schools, 1,000,000 pupils, the rest in proportion), written with
PostgreSQL's COPY so that it finishes in minutes on two cores.

Schools are spread over the offices in turn; each school's pupils fill
classes of CLASS_SIZE (the last class of a school is smaller). Progress and
quiz attempts follow the same rules as the district build (seed_scale), from
a pool of answer sheets drawn once per lesson, so the random draws do not
dominate. Everything runs in one transaction: a failure leaves nothing."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import DateTimeField
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts.consent import CONSENT_TEXT_VERSION
from accounts.models import GuardianConsent, GuardianLink, User
from classroom.models import Assignment, Classroom, Enrollment
from curriculum.models import LessonProgress, QuizAttempt
from schools.models import District, Membership, Role, School

SHEETS_PER_LESSON = 64
BATCH = 5000
CHUNK = 20_000  # pupils whose progress and attempts are written per COPY


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in the order of `columns`, attribute names) into the
    model's table; every other column takes the field's default."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = {name: i for i, name in enumerate(columns)}
    fill = []
    for f in fields:
        if f.attname in given:
            fill.append((True, given[f.attname], f))
        elif isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add):
            fill.append((False, now, f))
        else:
            default = f.get_default()
            fill.append((False, Jsonb(default) if f.get_internal_type() == "JSONField" else default, f))
    is_json = {i for i, (_, _, f) in enumerate(fill) if f.get_internal_type() == "JSONField"}
    names = ", ".join(f'"{f.column}"' for f in fields)
    n = 0
    with connection.connection.cursor().copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            out = []
            for i, (from_row, value, _f) in enumerate(fill):
                if from_row:
                    value = row[value]
                    if i in is_json:
                        value = Jsonb(value)
                out.append(value)
            copy.write_row(out)
            n += 1
    return n


def _user_ids(prefix: str) -> list[int]:
    return list(User.objects.filter(username__startswith=prefix).order_by("username").values_list("id", flat=True))


def _copy_users(cmd, prefix: str, n: int, *, is_parent: bool = False) -> list[int]:
    now = timezone.now()
    copy_rows(
        User,
        ["username", "password", "display_name", "date_joined", "email", "is_parent"],
        ((f"{prefix}{i:07d}", cmd.password_hash, f"{prefix}{i}", now, "", is_parent) for i in range(n)),
    )
    return _user_ids(prefix)


def build_national(cmd, n_schools: int, n_pupils: int, n_reports: int) -> dict:
    from edu_platform.management.commands.seed_scale import CLASS_SIZE, LEVEL_BANDS, NATIONAL_OFFICES

    timings = {}
    started = time.monotonic()
    tag = f"n{timezone.now():%H%M%S}"
    modules = cmd._modules()
    rng = cmd.rng
    with transaction.atomic():
        offices = District.objects.bulk_create(
            District(name=f"National office {i + 1:02d} {tag}", code=f"NAT{i + 1:02d}-{tag}")
            for i in range(NATIONAL_OFFICES)
        )
        levels = [School.Level.ELEMENTARY, School.Level.MIDDLE, School.Level.HIGH]
        schools = School.objects.bulk_create(
            (
                School(
                    name=f"National school {i}",
                    code=f"N{tag[-4:]}{i:05d}",
                    district=offices[i % len(offices)],
                    level=levels[i % 3],
                )
                for i in range(n_schools)
            ),
            batch_size=BATCH,
        )
        # Pupils per school (the first schools take the remainder), classes of CLASS_SIZE.
        per_school = [n_pupils // n_schools + (1 if i < n_pupils % n_schools else 0) for i in range(n_schools)]
        classrooms, class_school, class_size = [], [], []
        for si, school in enumerate(schools):
            sizes = [CLASS_SIZE] * (per_school[si] // CLASS_SIZE)
            if per_school[si] % CLASS_SIZE:
                sizes.append(per_school[si] % CLASS_SIZE)
            for ci, size in enumerate(sizes):
                grade = (ci % (6 if school.level == School.Level.ELEMENTARY else 3)) + 1
                classrooms.append(
                    Classroom(
                        school=school,
                        name=f"{grade}-{ci + 1}",
                        grade=grade,
                        school_year=2026,
                        join_code=f"{si:05d}{ci:03d}".replace("0", "A"),
                    )
                )
                class_school.append(school)
                class_size.append(size)
        Classroom.objects.bulk_create(classrooms, batch_size=BATCH)
        timings["schools_and_classes_s"] = round(time.monotonic() - started, 1)

        teacher_ids = _copy_users(cmd, f"{tag}-t", len(classrooms))
        counselor_ids = _copy_users(cmd, f"{tag}-c", n_schools)
        admin_ids = _copy_users(cmd, f"{tag}-a", n_schools)
        pupil_ids = _copy_users(cmd, f"{tag}-s", n_pupils)
        parent_ids = _copy_users(cmd, f"{tag}-p", n_pupils // 3, is_parent=True)
        timings["users_s"] = round(time.monotonic() - started, 1)

        enrollments = []  # (classroom, student_id)
        teacher_of = {}
        k = 0
        for ci, classroom in enumerate(classrooms):
            for number in range(class_size[ci]):
                enrollments.append((classroom, pupil_ids[k], number + 1))
                teacher_of[pupil_ids[k]] = teacher_ids[ci]
                k += 1
        Classroom.teachers.through.objects.bulk_create(
            (Classroom.teachers.through(classroom_id=c.pk, user_id=teacher_ids[i]) for i, c in enumerate(classrooms)),
            batch_size=BATCH,
        )

        def memberships():
            for si, school in enumerate(schools):
                yield (counselor_ids[si], school.pk, Role.COUNSELOR)
                yield (admin_ids[si], school.pk, Role.SCHOOL_ADMIN)
            for ci, classroom in enumerate(classrooms):
                yield (teacher_ids[ci], classroom.school_id, Role.TEACHER)
            for classroom, student_id, _n in enrollments:
                yield (student_id, classroom.school_id, Role.STUDENT)

        copy_rows(Membership, ["user_id", "school_id", "role"], memberships())
        copy_rows(
            Enrollment,
            ["classroom_id", "student_id", "student_number"],
            ((c.pk, sid, n) for c, sid, n in enrollments),
        )
        copy_rows(
            GuardianConsent,
            ["student_id", "recorded_by_id", "method", "decision", "text_version", "language", "ended_at"],
            (
                (
                    sid,
                    teacher_of[sid],
                    GuardianConsent.Method.PAPER,
                    GuardianConsent.Decision.GIVEN,
                    CONSENT_TEXT_VERSION,
                    "ko",
                    None,
                )
                for i, sid in enumerate(pupil_ids)
                if i % 10 != 9
            ),
        )
        copy_rows(
            GuardianLink,
            ["guardian_id", "student_id"],
            ((parent_ids[i // 3], sid) for i, sid in enumerate(pupil_ids[: len(parent_ids) * 3])),
        )
        timings["people_s"] = round(time.monotonic() - started, 1)

        start = date(2026, 3, 2)
        assignments = []
        for ci, classroom in enumerate(classrooms):
            for position, band in enumerate(LEVEL_BANDS[class_school[ci].level]):
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
        timings["assignments_s"] = round(time.monotonic() - started, 1)

        counts = _progress(rng, enrollments, assignments, modules)
        timings["progress_s"] = round(time.monotonic() - started, 1)
        counts["reports"] = cmd._reports(schools, n_reports)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["total_s"] = round(time.monotonic() - started, 1)
    counts.update(
        offices=len(offices),
        schools=len(schools),
        students=n_pupils,
        classes=len(classrooms),
        assignments=len(assignments),
        **timings,
    )
    return counts


def _sheets(rng, lesson, questions):
    """SHEETS_PER_LESSON answer sheets per try number: (answers, correct, score)."""
    sheets = {}
    for t in range(3):
        pool = []
        for _ in range(SHEETS_PER_LESSON):
            answers, correct = {}, 0
            for q in questions:
                right = rng.random() < 0.55 + 0.2 * t
                answers[q.id] = sorted(q.correct_ids) if right else [rng.choice(sorted(q.choice_ids - q.correct_ids))]
                correct += right
            pool.append((answers, correct, correct * 100 // max(1, len(questions))))
        sheets[t] = pool
    return sheets


def _progress(rng, enrollments, assignments, modules) -> dict:
    by_class: dict[int, list] = {}
    for a in assignments:
        by_class.setdefault(a.classroom_id, []).append(a)
    lessons_of = {m.pk: lessons for band in modules.values() for m, lessons in band}
    sheets = {lesson.pk: _sheets(rng, lesson, qs) for lessons in lessons_of.values() for lesson, qs in lessons}
    now = timezone.now()
    n_progress = n_attempts = 0
    for start in range(0, len(enrollments), CHUNK):
        progress, attempts = [], []
        for classroom, student_id, _n in enrollments[start : start + CHUNK]:
            for a in by_class.get(classroom.pk, []):
                engagement = rng.random()
                for lesson, questions in lessons_of[a.module_id]:
                    if rng.random() > engagement:
                        break
                    tries = rng.choice((1, 1, 1, 2, 2, 3))
                    best = 0
                    for t in range(tries):
                        answers, correct, score = rng.choice(sheets[lesson.pk][t])
                        best = max(best, score)
                        attempts.append(
                            (
                                student_id,
                                lesson.pk,
                                "quiz",
                                answers,
                                correct,
                                len(questions),
                                score,
                                score >= lesson.pass_mark,
                                f"seed-{lesson.pk}-{t}",
                            )
                        )
                    passed = best >= lesson.pass_mark
                    progress.append(
                        (
                            student_id,
                            lesson.pk,
                            a.module_id,
                            "passed" if passed else "in_progress",
                            tries,
                            best,
                            best,
                            now if passed else None,
                        )
                    )
        n_progress += copy_rows(LessonProgress, PROGRESS_COLUMNS, progress)
        n_attempts += copy_rows(QuizAttempt, ATTEMPT_COLUMNS, attempts)
    return {"progress": n_progress, "attempts": n_attempts}


PROGRESS_COLUMNS = [
    "student_id",
    "lesson_id",
    "module_id",
    "status",
    "attempts",
    "best_score",
    "last_score",
    "completed_at",
]
ATTEMPT_COLUMNS = [
    "student_id",
    "page_id",
    "kind",
    "answers",
    "correct_count",
    "question_count",
    "score",
    "passed",
    "form_token",
]
