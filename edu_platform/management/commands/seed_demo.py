"""The demo school of `make run`: one district, the school DEMO01, a class,
and one person per role. Running it again changes nothing."""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import GuardianConsent, GuardianLink, User
from classroom.models import Assignment, Classroom, Enrollment
from curriculum.models import LessonPage, LessonProgress, ModulePage
from curriculum.quiz import grade, questions_from_stream
from curriculum.services import attempt_record, lesson_open
from curriculum.site_setup import REVIEWERS_GROUP, ensure_site
from edu_platform.urls_public import public_base_url
from families.services import consent_record_paper
from incidents import keys as report_keys
from incidents import sealing
from incidents.demo import seed_case_tools
from incidents.models import RecoveryKey
from schools.models import District, Membership, Role, School

# The module the demo class has assigned (the demo school is a middle school).
DEMO_MODULE_SLUG = "middle-harm-law-response"

DEMO_PEOPLE = [
    # username, email, display name, role at DEMO01 (or a special role)
    ("demo-student", "", "김하늘", Role.STUDENT),
    ("demo-teacher", "teacher@demo.example", "박선생", Role.TEACHER),
    ("demo-parent", "parent@demo.example", "김보호", "parent"),
    ("demo-counselor", "counselor@demo.example", "이상담", Role.COUNSELOR),
    ("demo-admin", "admin@demo.example", "최교감", Role.SCHOOL_ADMIN),
    ("demo-editor", "editor@demo.example", "정편집", "editor"),
    ("demo-reviewer", "reviewer@demo.example", "윤검토", "reviewer"),
    ("demo-officer", "officer@demo.example", "한장학", "safety_officer"),
]


def demo_password() -> str:
    """A random password made once per machine, kept in the local data folder."""
    path = settings.LOCAL_DATA_DIR / "demo_password"
    if not path.exists():
        settings.LOCAL_DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(f"demo-{secrets.token_hex(4)}", encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


class Command(BaseCommand):
    help = "Create or update the demo school and its people (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo person (default: one made for this machine).")
        parser.add_argument("--no-curriculum", action="store_true", help="Skip loading the curriculum.")
        parser.add_argument(
            "--address",
            help="The address the server will answer on, printed with the logins "
            "(default: SITE_URL, or http://127.0.0.1:8000 where `make run` serves).",
        )

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "seed_demo refuses to run here: demo people with a known password must never exist in production."
            )
        password = options["password"] or demo_password()
        with transaction.atomic():
            ensure_site()
            people = self._seed_people(password)
        if not options["no_curriculum"]:
            call_command("load_curriculum", verbosity=0)
            self._after_curriculum(people)
        self._print_logins(password, (options.get("address") or public_base_url()).rstrip("/"))

    def _seed_people(self, password: str) -> dict[str, User]:
        district, _ = District.objects.get_or_create(code="DEMO-OFFICE", defaults={"name": "데모 교육지원청"})
        school, _ = School.objects.get_or_create(
            code="DEMO01", defaults={"name": "데모중학교", "district": district, "jurisdiction": "KR"}
        )
        classroom, _ = Classroom.objects.get_or_create(
            school=school, name="1학년 3반", defaults={"grade": 1, "school_year": 2026, "join_code": "DEMO3BAN"}
        )
        people = {}
        for username, email, name, role in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": email, "display_name": name, "is_parent": role == "parent"}
            )
            if created or not user.check_password(password):
                user.set_password(password)
                user.save()
            if email:
                EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            if role in Role.values:
                Membership.objects.get_or_create(user=user, school=school, role=role)
            people[role] = user
        Enrollment.objects.get_or_create(
            classroom=classroom, student=people[Role.STUDENT], defaults={"student_number": 7}
        )
        classroom.teachers.add(people[Role.TEACHER])
        GuardianLink.objects.get_or_create(guardian=people["parent"], student=people[Role.STUDENT])
        # The demo student is 13: a paper consent is on file, so their lessons are kept.
        if not GuardianConsent.objects.filter(student=people[Role.STUDENT], ended_at__isnull=True).exists():
            consent_record_paper(teacher=people[Role.TEACHER], student=people[Role.STUDENT], on_file=True)
        district.safety_officers.add(people["safety_officer"])
        people["editor"].groups.add(*Group.objects.filter(name="Editors"))
        people["reviewer"].groups.add(*Group.objects.filter(name__in=["Editors", REVIEWERS_GROUP]))
        seed_case_tools(school=school, author=people[Role.COUNSELOR])
        self.people_context = {"school": school, "classroom": classroom}
        self._seed_report_keys(people, password, school, district)
        return people

    def _seed_report_keys(self, people, password, school, district) -> None:
        """The demo counselor and officer have reading keys (as their first
        sign-in would make them), and the demo school and office a recovery
        key. A real recovery sheet is shown once and never stored; the demo's
        is written to the local data folder so the demo can show recovery."""
        for role in (Role.COUNSELOR, "safety_officer"):
            report_keys.person_key_unlock(user=people[role], password=password)
        self.recovery_sheet_path = settings.LOCAL_DATA_DIR / "demo_recovery_sheets.txt"
        lines = []
        for place in (school, district):
            lookup = {"school": place} if place is school else {"district": place}
            if RecoveryKey.objects.filter(**lookup).exists():
                continue
            key = report_keys.recovery_key_create(actor=people[Role.SCHOOL_ADMIN], **lookup)
            lines.append(f"{place.name} ({place.code}): {sealing.sheet_text(key)}")
        if lines:
            settings.LOCAL_DATA_DIR.mkdir(parents=True, exist_ok=True)
            with open(self.recovery_sheet_path, "a", encoding="utf-8") as sheets:
                sheets.write("\n".join(lines) + "\n")

    def _after_curriculum(self, people: dict[str, User]) -> None:
        """The demo class gets the middle-school module, and the demo student
        has done some of it: a pre-check, the first lesson passed and the
        second tried, so that the teacher's dashboard shows something. Runs
        again without adding anything."""

        classroom = self.people_context["classroom"]
        module = ModulePage.objects.filter(slug=DEMO_MODULE_SLUG, locale__language_code="ko").first()
        if module is None:
            return
        today = timezone.localdate()
        Assignment.objects.get_or_create(
            classroom=classroom,
            module=module,
            defaults={
                "opens_on": today - timedelta(days=7),
                "due_on": today + timedelta(days=14),
                "position": 1,
                "created_by": people[Role.TEACHER],
            },
        )
        student = people[Role.STUDENT]
        if LessonProgress.objects.filter(student=student, module=module).exists():
            return
        lessons = list(LessonPage.objects.child_of(module).live().order_by("path")[:2])

        def answer(stream, wrong: int):
            questions = questions_from_stream(stream)
            answers = {
                q.id: frozenset(sorted(q.correct_ids) if i >= wrong else sorted(q.choice_ids - q.correct_ids)[:1])
                for i, q in enumerate(questions)
            }
            return answers, questions

        with transaction.atomic():
            answers, questions = answer(module.precheck, wrong=2)
            attempt_record(
                student=student,
                page_id=module.pk,
                kind="pre",
                answers=answers,
                result=grade(questions, answers, pass_mark=0),
                form_token="demo-seed-pre",  # noqa: S106 - a form token, not a secret
            )
            for lesson, wrong, token in zip(lessons, (0, 4), ("demo-seed-1", "demo-seed-2"), strict=False):
                lesson_open(student=student, lesson_id=lesson.pk, module_id=module.pk)
                answers, questions = answer(lesson.quiz, wrong=wrong)
                attempt_record(
                    student=student,
                    page_id=lesson.pk,
                    kind="quiz",
                    answers=answers,
                    result=grade(questions, answers, lesson.pass_mark),
                    form_token=token,
                    module=module,
                )

    def _print_logins(self, password: str, address: str) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Demo school DEMO01 is ready. Log in at {address}/accounts/login/"))
        out.write(f"  Password for everyone: {password}")
        for username, email, _name, role in DEMO_PEOPLE:
            out.write(f"  {str(role):<15} {email or username}")
        out.write("  Counselor, school admin, officer, editor and reviewer set up an authenticator app at first login.")
        out.write(f"  Anonymous report channel: {address}/report/DEMO01/")
        out.write(
            f"  Demo recovery sheets (sealed reports; a real one is printed once, never stored): "
            f"{getattr(self, 'recovery_sheet_path', settings.LOCAL_DATA_DIR / 'demo_recovery_sheets.txt')}"
        )
