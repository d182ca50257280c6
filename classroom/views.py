"""Start pages of students, teachers and school admins."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.forms import InvitationForm
from accounts.models import Invitation
from accounts.services import invitation_create

from .models import STAFF_ROLES, Classroom, Membership, Role, School


@permissions.role_required(permissions.is_student)
def student_home(request):
    classrooms = Classroom.objects.filter(enrollments__student=request.user, archived_at__isnull=True).select_related(
        "school"
    )
    return render(request, "classroom/student_home.html", {"classrooms": classrooms})


@permissions.role_required(permissions.is_teacher)
def teacher_home(request):
    classrooms = request.user.classrooms_taught.filter(archived_at__isnull=True).select_related("school")
    return render(request, "classroom/teacher_home.html", {"classrooms": classrooms})


@permissions.role_required(permissions.is_school_admin)
def school_home(request):
    schools = School.objects.filter(pk__in=permissions.roles_of(request.user).school_ids(Role.SCHOOL_ADMIN))
    return render(request, "classroom/school_home.html", {"schools": schools})


@permissions.role_required(permissions.is_school_admin)
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
    staff = (
        Membership.objects.filter(school=school, role__in=[r.value for r in STAFF_ROLES])
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    invitations = Invitation.objects.filter(school=school).order_by("-created_at")[:50]
    return render(
        request,
        "classroom/school_staff.html",
        {"school": school, "form": form, "staff": staff, "invitations": invitations},
    )
