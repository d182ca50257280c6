"""The student's pages: the start page, dismissing a reminder, joining a class
with its code."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import student_required
from accounts.selectors import guardian_links_of
from curriculum.permissions import records_progress
from edu_platform.ratelimit import Limit

from .. import selectors, services
from ..forms import JoinForm
from ..models import Notice

# Wrong class codes a student may type in 15 minutes.
WRONG_JOIN_CODES = Limit("classroom:join-code:user", 10, 15 * 60)


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


@student_required
@require_http_methods(["GET", "POST"])
def join_class(request):
    """A student who already has an account types the class code."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if WRONG_JOIN_CODES.reached(str(request.user.pk)):
            form.add_error("code", _("Too many wrong codes. Wait 15 minutes, or ask your teacher."))
        else:
            try:
                enrollment, created = services.enrollment_join(student=request.user, code=form.cleaned_data["code"])
            except services.ClassroomError as error:
                WRONG_JOIN_CODES.hit(str(request.user.pk))
                form.add_error("code", str(error))
            else:
                if created:
                    messages.success(request, _("You joined %(classroom)s.") % {"classroom": enrollment.classroom})
                else:
                    messages.info(request, _("You are already in %(classroom)s.") % {"classroom": enrollment.classroom})
                return redirect("student_home")
    return render(request, "classroom/join.html", {"form": form})
