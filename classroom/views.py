"""Pages of teachers, students and school admins. Views are thin: they ask
``permissions`` who may see what, ``selectors`` what to show and
``services`` to change things.

A teacher reaches a class only through ``permissions.taught_classrooms``:
another teacher's class, or an object of it, is a 404 whatever id is typed.
"""

from __future__ import annotations

import csv
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions as roles
from accounts.forms import InvitationForm
from accounts.models import Invitation
from accounts.selectors import guardian_links_of, students_waiting_for_consent
from accounts.services import invitation_create
from curriculum.permissions import records_progress
from schools.models import STAFF_ROLES, EndedMembership, Membership, School

from . import cards as login_cards
from . import permissions, selectors, services
from .forms import AssignmentForm, ClassroomForm, EnrollmentForm, JoinForm, RosterUploadForm, StudentAddForm
from .models import Assignment, Enrollment, Notice, RosterImport
from .roster import row_error_message

teacher_required = roles.role_required(roles.is_teacher)
student_required = roles.role_required(roles.is_student)
school_admin_required = roles.role_required(roles.is_school_admin)


def _classroom(request, pk):
    return get_object_or_404(permissions.taught_classrooms(request.user).select_related("school"), pk=pk)


def _archived_refusal(request, classroom):
    """Archived classes can be looked at, not changed."""
    if classroom.archived_at is None:
        return None
    messages.error(request, _("This class is archived. Restore it to make changes."))
    return redirect("classroom_dashboard", pk=classroom.pk)


ONCE_FIELD = "once"


def once_token() -> str:
    """A token for forms that make passwords: reloading the card page must
    not make new passwords (and so void the cards already printed)."""
    return secrets.token_urlsafe(16)


def _repeated_submission(request, classroom):
    """The same card-making form sent a second time (a reload of the card
    page): refuse it, with a message, instead of making new passwords."""
    token = request.POST.get(ONCE_FIELD, "")
    if not token or cache.add(f"classroom-once:{request.user.pk}:{token}", 1, 24 * 60 * 60):
        return None
    messages.error(
        request,
        _(
            "Those cards were already made. Passwords are not stored, so reloading cannot show them again: "
            "make new cards if they were not printed."
        ),
    )
    return redirect("classroom_students", pk=classroom.pk)


def _render_cards(request, classroom, cards):
    """The card page exists only as the answer to the request that made the
    passwords: they are stored nowhere in plain text."""
    return render(
        request,
        "classroom/login_cards.html",
        {
            "classroom": classroom,
            "cards": cards,
            "sheets": login_cards.sheets(cards),
            "login_address": login_cards.login_address(),
            "signup_address": login_cards.parent_signup_address(),
            "qr_svg": login_cards.qr_svg(login_cards.login_address()),
        },
    )


# --------------------------------------------------------------------------
# Teacher: classes
# --------------------------------------------------------------------------


@teacher_required
def teacher_home(request):
    context = selectors.teacher_classrooms(permissions.taught_classrooms(request.user))
    context["can_create"] = permissions.can_create_classroom(request.user)
    return render(request, "classroom/teacher_home.html", context)


@teacher_required
@require_http_methods(["GET", "POST"])
def classroom_create(request):
    schools = School.objects.filter(pk__in=permissions.teacher_school_ids(request.user)).order_by("name")
    form = ClassroomForm(request.POST or None, schools=schools, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        classroom = services.classroom_create(
            school=form.cleaned_data["school"],
            name=form.cleaned_data["name"],
            grade=form.cleaned_data["grade"],
            school_year=form.cleaned_data["school_year"],
            teacher=request.user,
        )
        messages.success(request, _("The class was created. Next: add students."))
        return redirect("classroom_students", pk=classroom.pk)
    return render(request, "classroom/classroom_form.html", {"form": form})


@teacher_required
def classroom_dashboard(request, pk):
    classroom = _classroom(request, pk)
    dashboard = selectors.class_dashboard(classroom)
    waiting = students_waiting_for_consent(row.enrollment.student_id for row in dashboard.rows)
    return render(
        request,
        "classroom/dashboard.html",
        {"classroom": classroom, "dashboard": dashboard, "waiting_for_consent": waiting},
    )


def _csv_safe(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a name typed
    into a roster must never become one."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@teacher_required
def classroom_export(request, pk):
    classroom = _classroom(request, pk)
    dashboard = selectors.class_dashboard(classroom)
    status_labels = {
        selectors.NOT_STARTED: _("not started"),
        "in_progress": _("in progress"),
        "passed": _("passed"),
        "read": _("read"),
    }
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{classroom.school.code}-{classroom.school_year}-{classroom.pk}-progress.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte-order mark makes Excel read the file as UTF-8 (Korean names).
    response.write("\ufeff")
    writer = csv.writer(response)
    header = [_("Number"), _("Name"), _("Username")]
    for column in dashboard.columns:
        header += [
            _("%(lesson)s: status") % {"lesson": column.title},
            _("%(lesson)s: best score") % {"lesson": column.title},
            _("%(lesson)s: attempts") % {"lesson": column.title},
        ]
    header += [_("Lessons done"), _("Completion (percent)"), _("Learning gain (points)")]
    writer.writerow([_csv_safe(h) for h in header])
    for row in dashboard.rows:
        line = [row.enrollment.student_number or "", row.student.display_name, row.student.username]
        for cell in row.cells:
            line += [status_labels.get(cell.status, cell.status), cell.best_score, cell.attempts or ""]
        line += [row.done, row.percent, "" if row.gain is None else row.gain]
        writer.writerow([_csv_safe(v) for v in line])
    return response


@teacher_required
@require_POST
def classroom_remind(request, pk):
    classroom = _classroom(request, pk)
    refused = _archived_refusal(request, classroom)
    if refused:
        return refused
    services.reminders_queue(classroom=classroom, sent_by=request.user)
    messages.success(
        request,
        _("Reminders are on their way: students who have not finished an open module see a notice on their page."),
    )
    return redirect("classroom_dashboard", pk=classroom.pk)


@teacher_required
@require_POST
def classroom_archive(request, pk):
    classroom = _classroom(request, pk)
    if request.POST.get("action") == "restore":
        services.classroom_restore(classroom=classroom)
        messages.success(request, _("The class is back among your current classes."))
        return redirect("classroom_dashboard", pk=classroom.pk)
    services.classroom_archive(classroom=classroom)
    messages.success(request, _("The class was archived. Its results are kept; you can restore it."))
    return redirect("teacher_home")


@teacher_required
@require_http_methods(["GET", "POST"])
def classroom_join_code(request, pk):
    classroom = _classroom(request, pk)
    if request.method == "POST":
        refused = _archived_refusal(request, classroom)
        if refused:
            return refused
        services.classroom_join_code_renew(classroom=classroom)
        messages.success(request, _("The class has a new code. The old one no longer works."))
        return redirect("classroom_join_code", pk=classroom.pk)
    code = classroom.join_code
    return render(
        request,
        "classroom/join_code.html",
        {
            "classroom": classroom,
            "code_groups": [code[:4], code[4:]],
            "join_address": login_cards.join_address(),
        },
    )


# --------------------------------------------------------------------------
# Teacher: students and login cards
# --------------------------------------------------------------------------


def _enrollments(classroom):
    return list(
        classroom.enrollments.select_related("student").order_by("student_number", "student__display_name", "id")
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def classroom_students(request, pk):
    classroom = _classroom(request, pk)
    form = StudentAddForm(request.POST or None, classroom=classroom)
    if request.method == "POST":
        refused = _archived_refusal(request, classroom) or _repeated_submission(request, classroom)
        if refused:
            return refused
        if form.is_valid():
            try:
                card = services.student_add(
                    classroom=classroom, name=form.cleaned_data["name"], number=form.cleaned_data["number"]
                )
            except services.ClassroomError as error:
                form.add_error("number", str(error))
            else:
                return _render_cards(request, classroom, [card])
    enrollments = _enrollments(classroom)
    manageable = permissions.manageable_student_ids([e.student_id for e in enrollments])
    return render(
        request,
        "classroom/students.html",
        {
            "classroom": classroom,
            "form": form,
            "enrollments": enrollments,
            "manageable": manageable,
            "once": once_token(),
        },
    )


@teacher_required
@require_POST
def classroom_cards(request, pk):
    """New passwords (and cards) for the students ticked in the list."""
    classroom = _classroom(request, pk)
    refused = _archived_refusal(request, classroom) or _repeated_submission(request, classroom)
    if refused:
        return refused
    ids = [int(v) for v in request.POST.getlist("enrollment") if v.isdigit()]
    enrollments = [e for e in _enrollments(classroom) if e.pk in ids and e.student.is_active]
    manageable = permissions.manageable_student_ids([e.student_id for e in enrollments])
    enrollments = [e for e in enrollments if e.student_id in manageable]
    if not enrollments:
        messages.error(request, _("Tick at least one active student whose card you want to renew."))
        return redirect("classroom_students", pk=classroom.pk)
    return _render_cards(request, classroom, services.student_passwords_reset(enrollments=enrollments))


def _enrollment(request, pk, enrollment_pk):
    classroom = _classroom(request, pk)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("student", "classroom", "classroom__school"),
        pk=enrollment_pk,
        classroom=classroom,
    )
    return classroom, enrollment


@teacher_required
@require_http_methods(["GET", "POST"])
def student_detail(request, pk, enrollment_pk):
    classroom, enrollment = _enrollment(request, pk, enrollment_pk)
    targets = permissions.taught_classrooms(request.user).filter(school=classroom.school, archived_at__isnull=True)
    form = EnrollmentForm(request.POST or None, enrollment=enrollment, classrooms=targets)
    if request.method == "POST":
        refused = _archived_refusal(request, classroom)
        if refused:
            return refused
        if form.is_valid():
            to_classroom = form.cleaned_data["classroom"]
            try:
                services.enrollment_update(
                    enrollment=enrollment, to_classroom=to_classroom, number=form.cleaned_data["number"]
                )
            except services.ClassroomError as error:
                form.add_error("number" if to_classroom.pk == classroom.pk else "classroom", str(error))
            else:
                if to_classroom.pk != classroom.pk:
                    messages.success(
                        request,
                        _("%(name)s moved to %(classroom)s.") % {"name": enrollment.student, "classroom": to_classroom},
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect("classroom_students", pk=classroom.pk)
    return render(
        request,
        "classroom/student_detail.html",
        {
            "classroom": classroom,
            "enrollment": enrollment,
            "student": enrollment.student,
            "form": form,
            "manageable": permissions.can_manage_student_account(enrollment.student),
            "once": once_token(),
        },
    )


@teacher_required
@require_POST
def student_reset(request, pk, enrollment_pk):
    classroom, enrollment = _enrollment(request, pk, enrollment_pk)
    refused = _archived_refusal(request, classroom) or _repeated_submission(request, classroom)
    if refused:
        return refused
    if not permissions.can_manage_student_account(enrollment.student) or not enrollment.student.is_active:
        raise Http404
    return _render_cards(request, classroom, services.student_passwords_reset(enrollments=[enrollment]))


@teacher_required
@require_POST
def student_active(request, pk, enrollment_pk):
    classroom, enrollment = _enrollment(request, pk, enrollment_pk)
    refused = _archived_refusal(request, classroom)
    if refused:
        return refused
    if not permissions.can_manage_student_account(enrollment.student):
        raise Http404
    active = request.POST.get("active") == "1"
    services.student_set_active(student=enrollment.student, active=active)
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": enrollment.student})
    else:
        messages.success(
            request, _("%(name)s can no longer sign in. Their results are kept.") % {"name": enrollment.student}
        )
    return redirect("student_detail", pk=classroom.pk, enrollment_pk=enrollment.pk)


# --------------------------------------------------------------------------
# Teacher: roster import
# --------------------------------------------------------------------------


@teacher_required
@require_http_methods(["GET", "POST"])
def roster_upload(request, pk):
    classroom = _classroom(request, pk)
    refused = _archived_refusal(request, classroom)
    if refused:
        return refused
    form = RosterUploadForm(
        request.POST or None,
        request.FILES or None,
        classroom=classroom,
        taken_numbers=selectors.taken_numbers(classroom),
    )
    if request.method == "POST" and form.is_valid():
        roster_import = services.roster_import_create(
            classroom=classroom, created_by=request.user, filename=form.cleaned_data["file"].name, roster=form.roster
        )
        return redirect("roster_preview", pk=classroom.pk, import_pk=roster_import.pk)
    status = 413 if form.too_large else 200  # Request Entity Too Large, with the form and its message
    return render(request, "classroom/roster_upload.html", {"classroom": classroom, "form": form}, status=status)


@teacher_required
@require_http_methods(["GET", "POST"])
def roster_preview(request, pk, import_pk):
    classroom = _classroom(request, pk)
    roster_import = get_object_or_404(RosterImport, pk=import_pk, classroom=classroom, created_by=request.user)
    if request.method == "POST":
        try:
            cards = services.roster_import_confirm(roster_import=roster_import)
        except services.ClassroomError as error:
            messages.error(request, str(error))
            return redirect("roster_preview", pk=classroom.pk, import_pk=roster_import.pk)
        return _render_cards(request, classroom, cards)
    rows = [
        {**row, "messages": [row_error_message(e["code"], e["params"]) for e in row["errors"]]}
        for row in roster_import.rows
    ]
    return render(
        request,
        "classroom/roster_preview.html",
        {
            "classroom": classroom,
            "roster_import": roster_import,
            "rows": rows,
            "ok_count": sum(1 for r in rows if not r["messages"]),
            "problem_count": sum(1 for r in rows if r["messages"]),
            "form": RosterUploadForm(classroom=classroom),
        },
    )


# --------------------------------------------------------------------------
# Teacher: assignments
# --------------------------------------------------------------------------


@teacher_required
@require_http_methods(["GET", "POST"])
def classroom_assignments(request, pk):
    classroom = _classroom(request, pk)
    form = AssignmentForm(request.POST or None, classroom=classroom)
    if request.method == "POST":
        refused = _archived_refusal(request, classroom)
        if refused:
            return refused
        if form.is_valid():
            try:
                services.assignment_create(
                    classroom=classroom,
                    module=form.cleaned_data["module"],
                    opens_on=form.cleaned_data["opens_on"],
                    due_on=form.cleaned_data["due_on"],
                    requires_previous=form.cleaned_data["requires_previous"],
                    created_by=request.user,
                )
            except services.ClassroomError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The module was assigned."))
                return redirect("classroom_assignments", pk=classroom.pk)
    assignments = list(classroom.assignments.select_related("module").order_by("position", "due_on", "id"))
    titles = selectors.localized_titles([a.module for a in assignments])
    return render(
        request,
        "classroom/assignments.html",
        {
            "classroom": classroom,
            "form": form,
            "assignments": [{"assignment": a, "title": titles[a.module_id]} for a in assignments],
            "today": selectors.today(),
        },
    )


def _assignment(request, pk, assignment_pk):
    classroom = _classroom(request, pk)
    assignment = get_object_or_404(Assignment.objects.select_related("module"), pk=assignment_pk, classroom=classroom)
    return classroom, assignment


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request, pk, assignment_pk):
    classroom, assignment = _assignment(request, pk, assignment_pk)
    form = AssignmentForm(request.POST or None, classroom=classroom, assignment=assignment)
    if request.method == "POST":
        refused = _archived_refusal(request, classroom)
        if refused:
            return refused
        if request.POST.get("action") == "delete":
            services.assignment_delete(assignment=assignment)
            messages.success(request, _("The assignment was removed. What students did is kept."))
            return redirect("classroom_assignments", pk=classroom.pk)
        if form.is_valid():
            try:
                services.assignment_update(
                    assignment=assignment,
                    opens_on=form.cleaned_data["opens_on"],
                    due_on=form.cleaned_data["due_on"],
                    requires_previous=form.cleaned_data["requires_previous"],
                )
            except services.ClassroomError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("classroom_assignments", pk=classroom.pk)
    title = selectors.localized_titles([assignment.module])[assignment.module_id]
    return render(
        request,
        "classroom/assignment_edit.html",
        {"classroom": classroom, "assignment": assignment, "title": title, "form": form},
    )


@teacher_required
@require_POST
def assignment_move(request, pk, assignment_pk):
    classroom, assignment = _assignment(request, pk, assignment_pk)
    refused = _archived_refusal(request, classroom)
    if refused:
        return refused
    services.assignment_move(assignment=assignment, up=request.POST.get("direction") == "up")
    return redirect("classroom_assignments", pk=classroom.pk)


# --------------------------------------------------------------------------
# Students
# --------------------------------------------------------------------------


@student_required
def student_home(request):
    context = selectors.student_start(request.user)
    context["guardian_links"] = guardian_links_of(request.user)
    context["results_stored"] = records_progress(request.user)
    return render(request, "classroom/student_home.html", context)


@student_required
@require_POST
def notice_dismiss(request, notice_pk):
    notice = get_object_or_404(Notice, pk=notice_pk, student=request.user)
    services.notice_dismiss(notice=notice)
    return redirect("student_home")


JOIN_ATTEMPTS = 10
JOIN_WINDOW = 15 * 60


@student_required
@require_http_methods(["GET", "POST"])
def join_class(request):
    """A student who already has an account types the class code."""
    form = JoinForm(request.POST or None)
    key = f"classroom-join-failures:{request.user.pk}"
    if request.method == "POST" and form.is_valid():
        if cache.get(key, 0) >= JOIN_ATTEMPTS:
            form.add_error("code", _("Too many wrong codes. Wait 15 minutes, or ask your teacher."))
        else:
            try:
                enrollment, created = services.enrollment_join(student=request.user, code=form.cleaned_data["code"])
            except services.ClassroomError as error:
                cache.add(key, 0, JOIN_WINDOW)
                cache.incr(key)
                form.add_error("code", str(error))
            else:
                if created:
                    messages.success(request, _("You joined %(classroom)s.") % {"classroom": enrollment.classroom})
                else:
                    messages.info(request, _("You are already in %(classroom)s.") % {"classroom": enrollment.classroom})
                return redirect("student_home")
    return render(request, "classroom/join.html", {"form": form})


# --------------------------------------------------------------------------
# School admin
# --------------------------------------------------------------------------


@school_admin_required
def school_home(request):
    overview = selectors.school_overview(permissions.managed_school_ids(request.user))
    return render(request, "classroom/school_home.html", {"schools": overview})


@school_admin_required
@require_http_methods(["GET", "POST"])
def school_staff(request, code):
    school = get_object_or_404(School, code=code)
    if not permissions.can_manage_school(request.user, school):
        return render(request, "403.html", status=403)
    role_choices = [(role.value, role.label) for role in STAFF_ROLES]
    form = InvitationForm(request.POST or None, role_choices=role_choices)
    if request.method == "POST" and form.is_valid():
        invitation_create(
            school=school,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            site_url=settings.SITE_URL,
        )
        messages.success(request, _("The invitation was sent. The link works once, for seven days."))
        return redirect("school_staff", code=school.code)
    staff = list(
        Membership.objects.filter(school=school, role__in=[r.value for r in STAFF_ROLES])
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    # Former teachers who have not come back, each once (most recent end first).
    current = {(m.user_id, m.role) for m in staff}
    former = {}
    for ended in EndedMembership.objects.filter(school=school).select_related("user").order_by("-ended_at")[:100]:
        former.setdefault((ended.user_id, ended.role), ended)
    former = [ended for key, ended in former.items() if key not in current]
    invitations = Invitation.objects.filter(school=school).order_by("-created_at")[:50]
    return render(
        request,
        "classroom/school_staff.html",
        {
            "school": school,
            "form": form,
            "staff": [{"membership": m, "can_end": permissions.can_end_membership(request.user, m)} for m in staff],
            "former": former,
            "invitations": invitations,
        },
    )


@school_admin_required
@require_POST
def staff_end(request, code, membership_pk):
    school = get_object_or_404(School, code=code)
    if not permissions.can_manage_school(request.user, school):
        return render(request, "403.html", status=403)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, school=school)
    if not permissions.can_end_membership(request.user, membership):
        return render(request, "403.html", status=403)
    services.teacher_membership_end(membership=membership, ended_by=request.user)
    messages.success(
        request,
        _("%(name)s is no longer a teacher here. Their classes stay; re-invite them to give them back.")
        % {"name": membership.user},
    )
    return redirect("school_staff", code=school.code)
