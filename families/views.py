"""What a parent sees and does (the family page, linking with a guardian
code, consent, email updates, unlinking), a student removing a guardian, and
the teacher's record of paper consent."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import consent, ratelimit
from accounts import selectors as account_selectors
from accounts.models import GuardianConsent, GuardianLink, User
from accounts.permissions import parent_required, student_required, teacher_required
from classroom.models import Classroom
from classroom.permissions import taught_classrooms, teaches_student

from . import selectors, services
from .forms import BirthYearForm, ConsentForm, EmailUpdatesForm, GuardianCodeForm, PaperConsentForm
from .services import GuardianCodeError


def _linked(request, student_id: int) -> GuardianLink:
    """The parent's link to this child; 404 for any other child, so that
    changing the id in the address shows nothing."""
    return get_object_or_404(
        GuardianLink.objects.select_related("student"),
        guardian=request.user,
        student_id=student_id,
        student__is_active=True,
    )


@parent_required
def parent_home(request):
    return _render_parent_home(request)


def _render_parent_home(request, email_form=None):
    page = selectors.parent_page(request.user)
    for child in page.children:
        if child.consent.waiting:
            # One form per child on the page: ids must differ, names stay the same.
            child.consent_form = ConsentForm(auto_id=f"id_child{child.student.pk}_%s")
    if email_form is None:
        email_form = EmailUpdatesForm(
            initial={"email_updates": page.email_updates, "language": request.user.preferred_language}
        )
    return render(
        request,
        "families/parent_home.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "email_form": email_form,
            "consent_age": consent.consent_age(),
            "consent_version": consent.CONSENT_TEXT_VERSION,
        },
    )


@parent_required
@require_http_methods(["GET", "POST"])
def parent_link(request):
    """Link a child with the code from the login card, or from a link the
    teacher sent (``?code=`` fills the field in)."""
    if request.method == "POST":
        form = GuardianCodeForm(request.POST)
        if form.is_valid():
            if ratelimit.guardian_code_refused(request):
                form.add_error(
                    "code",
                    _(
                        "Too many codes that did not work. For the children's safety, try again in an hour, "
                        "or ask the teacher for a new card."
                    ),
                )
            else:
                try:
                    result = services.guardian_link_with_code(guardian=request.user, code=form.cleaned_data["code"])
                except GuardianCodeError:
                    ratelimit.guardian_code_failed(request)
                    form.add_error(
                        "code",
                        _(
                            "This code does not work. Check it against the card. A code works only once and "
                            "expires after six months; if it was used or is old, ask the teacher for a new card."
                        ),
                    )
                else:
                    return _after_linking(request, result)
    else:
        form = GuardianCodeForm(initial={"code": request.GET.get("code", "")[:40]})
    return render(request, "families/parent_link.html", {"form": form})


def _after_linking(request, result):
    student = result.link.student
    name = student.get_short_name()
    if result.created:
        messages.success(request, _("You are now linked to %(name)s.") % {"name": name})
    else:
        messages.info(request, _("You were already linked to %(name)s.") % {"name": name})
    if account_selectors.consent_status(student, request.user).waiting:
        return redirect("parent_consent", student_id=student.pk)
    return redirect("parent_home")


@parent_required
@require_http_methods(["GET", "POST"])
def parent_consent(request, student_id):
    link = _linked(request, student_id)
    student = link.student
    status = account_selectors.consent_status(student, request.user)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        withdrawing = (
            status.my_decision == GuardianConsent.Decision.GIVEN
            and form.cleaned_data["decision"] == GuardianConsent.Decision.DECLINED
        )
        if withdrawing and request.POST.get("confirm") != "withdraw":
            # Say what withdrawing deletes before the guardian confirms.
            return render(
                request,
                "families/parent_consent_withdraw.html",
                {
                    "student": student,
                    "deletes": selectors.withdrawal_deletes_results(student, request.user),
                    "stored": services.stored_results_count([student.pk]),
                },
            )
        services.consent_record_online(
            guardian=request.user,
            student=student,
            decision=form.cleaned_data["decision"],
            language=get_language() or settings.LANGUAGE_CODE,
        )
        if form.cleaned_data["decision"] == GuardianConsent.Decision.GIVEN:
            messages.success(request, _("Thank you. Your consent is recorded."))
        elif withdrawing:
            messages.success(request, _("Your consent is withdrawn."))
        else:
            messages.success(request, _("Your decision is recorded."))
        return redirect(reverse("parent_home") + f"#child-{student.pk}")
    return render(
        request,
        "families/parent_consent.html",
        {
            "student": student,
            "status": status,
            "form": form,
            "consent_age": consent.consent_age(),
            "consent_version": consent.CONSENT_TEXT_VERSION,
            "consent_text_template": consent.CONSENT_TEXT_TEMPLATE,
        },
    )


@parent_required
@require_http_methods(["GET", "POST"])
def parent_unlink(request, student_id):
    link = _linked(request, student_id)
    if request.method == "POST":
        name = link.student.get_short_name()
        services.guardian_unlink(link=link)
        messages.success(request, _("You are no longer linked to %(name)s.") % {"name": name})
        return redirect("parent_home")
    return render(request, "families/parent_unlink.html", {"student": link.student})


@parent_required
@require_POST
def parent_email_updates(request):
    form = EmailUpdatesForm(request.POST)
    if form.is_valid():
        services.parent_settings_update(
            parent=request.user,
            email_updates=form.cleaned_data["email_updates"],
            language=form.cleaned_data["language"],
        )
        if form.cleaned_data["email_updates"]:
            messages.success(request, _("Email updates are on. You can turn them off here at any time."))
        else:
            messages.success(request, _("Email updates are off."))
        return redirect(reverse("parent_home") + "#email-updates")
    return _render_parent_home(request, email_form=form)


@student_required
@require_http_methods(["GET", "POST"])
def student_guardian_remove(request, link_id):
    """A student stops a guardian from seeing their progress."""
    link = get_object_or_404(GuardianLink.objects.select_related("guardian"), pk=link_id, student=request.user)
    if request.method == "POST":
        services.guardian_unlink(link=link)
        messages.success(
            request, _("%(name)s can no longer see your progress.") % {"name": link.guardian.get_short_name()}
        )
        return redirect("student_home")
    return render(request, "families/student_guardian_remove.html", {"link": link})


@teacher_required
@require_http_methods(["GET", "POST"])
def teacher_student_consent(request, student_id):
    """A teacher sees a student's consent status, records that a signed
    paper consent is on file, and may record the student's birth year."""
    if not teaches_student(request.user, student_id):
        raise Http404
    student = get_object_or_404(User, pk=student_id, is_active=True)
    paper_form = PaperConsentForm(prefix="paper")
    year_form = BirthYearForm(prefix="year", initial={"birth_year": student.birth_year})
    if request.method == "POST":
        if "paper-action" in request.POST:
            paper_form = PaperConsentForm(request.POST, prefix="paper")
            if paper_form.is_valid():
                recorded = services.consent_record_paper(
                    teacher=request.user, student=student, on_file=paper_form.cleaned_data["action"] == "record"
                )
                name = student.get_short_name()
                if recorded:
                    messages.success(request, _("Paper consent on file is recorded for %(name)s.") % {"name": name})
                else:
                    messages.success(request, _("The paper consent record of %(name)s is removed.") % {"name": name})
                return redirect("teacher_student_consent", student_id=student.pk)
        else:
            year_form = BirthYearForm(request.POST, prefix="year")
            if year_form.is_valid():
                services.student_birth_year_set(student=student, birth_year=year_form.cleaned_data["birth_year"])
                messages.success(request, _("The birth year is saved."))
                return redirect("teacher_student_consent", student_id=student.pk)
    classrooms = Classroom.objects.filter(enrollments__student=student, teachers=request.user).select_related("school")
    return render(
        request,
        "families/teacher_student_consent.html",
        {
            "student": student,
            "classrooms": classrooms,
            "status": account_selectors.consent_status(student),
            "records": account_selectors.consent_records(student),
            "paper_form": paper_form,
            "year_form": year_form,
            "consent_age": consent.consent_age(),
            "class_rule": consent.class_rule(),
        },
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def class_consent_sheet(request, pk):
    """The class consent sheet: the teacher ticks the returned paper slips of
    the whole class and saves once."""
    classroom = get_object_or_404(taught_classrooms(request.user).select_related("school"), pk=pk)
    if request.method == "POST":
        if classroom.archived_at is not None:
            messages.error(request, _("This class is archived. Restore it to make changes."))
            return redirect("class_consent_sheet", pk=classroom.pk)
        returned = {int(v) for v in request.POST.getlist("returned") if v.isdigit()}
        recorded, ended = services.paper_consent_sheet_save(
            teacher=request.user, classroom=classroom, returned=returned
        )
        messages.success(
            request,
            _("Saved: %(recorded)d paper consents recorded, %(ended)d removed.")
            % {"recorded": recorded, "ended": ended},
        )
        return redirect("class_consent_sheet", pk=classroom.pk)
    rows = selectors.class_consent_sheet(classroom)
    return render(
        request,
        "families/class_consent_sheet.html",
        {
            "classroom": classroom,
            "rows": rows,
            "needed": sum(1 for row in rows if row.status.needed),
            "waiting": sum(1 for row in rows if row.status.waiting),
            "consent_age": consent.consent_age(),
        },
    )
