"""What the teacher's class pages share: the class (or one of its students or
assignments) as the teacher may reach it, the refusal to change an archived
class, and the once-only token of the forms that make passwords.

A teacher reaches a class only through ``permissions.taught_classrooms``:
another teacher's class, or an object of it, is a 404 whatever id is typed.
"""

from __future__ import annotations

import secrets
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import cards as login_cards
from .. import permissions
from ..models import Assignment, Enrollment


def taught_classroom(request, pk):
    """The class, if this teacher teaches it (404 otherwise). Kept on the
    request: a decorator and the view ask for it with one query."""
    kept = getattr(request, "_taught_classroom", None)
    if kept is not None and str(kept.pk) == str(pk):
        return kept
    classroom = get_object_or_404(permissions.taught_classrooms(request.user).select_related("school"), pk=pk)
    request._taught_classroom = classroom
    return classroom


def archived_refusal(request, classroom):
    """Archived classes can be looked at, not changed."""
    if classroom.archived_at is None:
        return None
    messages.error(request, _("This class is archived. Restore it to make changes."))
    return redirect("classroom_dashboard", pk=classroom.pk)


def changes_the_class(view=None, *, even_to_look: bool = False):
    """View decorator for a teacher's class page that changes the class: a
    POST to an archived class is refused with a message (every request, with
    ``even_to_look``, for pages that exist only to change it)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            if even_to_look or request.method == "POST":
                refused = archived_refusal(request, taught_classroom(request, pk))
                if refused:
                    return refused
            return view(request, pk, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


ONCE_FIELD = "once"


def once_token() -> str:
    """A token for forms that make passwords: reloading the card page must
    not make new passwords (and so void the cards already printed)."""
    return secrets.token_urlsafe(16)


def repeated_submission(request, classroom):
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


def render_cards(request, classroom, cards):
    """The card page exists only as the answer to the request that made the
    passwords: they are stored nowhere in plain text."""
    login_address = login_cards.login_address(request)
    return render(
        request,
        "classroom/login_cards.html",
        {
            "classroom": classroom,
            "cards": cards,
            "sheets": login_cards.sheets(
                [{"card": card, "qr": login_cards.sign_in_qr(card.signin_token, request)} for card in cards]
            ),
            "login_address": login_address,
            "signup_address": login_cards.parent_signup_address(request),
            "qr_svg": login_cards.qr_svg(login_address),
            "letter_qr": login_cards.letter_qr(request),
        },
    )


def enrollments_of(classroom):
    return list(
        classroom.enrollments.select_related("student").order_by("student_number", "student__display_name", "id")
    )


def class_enrollment(request, pk, enrollment_pk):
    classroom = taught_classroom(request, pk)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("student", "classroom", "classroom__school"),
        pk=enrollment_pk,
        classroom=classroom,
    )
    return classroom, enrollment


def class_assignment(request, pk, assignment_pk):
    classroom = taught_classroom(request, pk)
    assignment = get_object_or_404(Assignment.objects.select_related("module"), pk=assignment_pk, classroom=classroom)
    return classroom, assignment
