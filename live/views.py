"""The live class's pages (docs/live.md): the code entry, the pupil view and
its polling fallback, and the teacher's presenter, projector, controls and
summary. Thin: the rules are in live.protocol and live.services."""

from __future__ import annotations

import json
import secrets

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import teacher_required
from classroom.cards import qr_svg
from classroom.permissions import taught_classrooms
from curriculum.help_lines import help_lines_for
from curriculum.selectors import jurisdiction_of
from edu_platform.charts import bar_chart
from edu_platform.ratelimit import client_address
from edu_platform.urls_public import public_url

from . import protocol, services, state
from .forms import CodeForm, SessionForm
from .models import LiveSession
from .permissions import participant_for
from .ratelimit import SENDS, WRONG_CODES
from .slides import deck

_TOO_MANY = "live-too-many"


def broadcast(session: LiveSession, outcome: protocol.Outcome) -> None:
    """Send an outcome's messages to the sockets, then finish it, as the
    consumers do."""
    try:
        layer = get_channel_layer()
        for audiences, message in outcome.broadcasts:
            for audience in audiences:
                async_to_sync(layer.group_send)(
                    f"live.{session.pk}.{audience}", {"type": "live.event", "message": message}
                )
    finally:  # the row is saved even if Redis refused the broadcast
        outcome.finish()


def _open_session(request, code: str) -> LiveSession:
    """The open session with this code, or 404 (counted against the address)."""
    address = client_address(request)
    if WRONG_CODES.reached(address):
        raise Http404
    session = LiveSession.objects.select_related("lesson__locale", "classroom").filter(code=code, ended_at__isnull=True)
    session = session.first()
    if session is None:
        WRONG_CODES.hit(address)
        raise Http404
    return session


def _participant(request, session):
    token = request.session.get("live_participant")
    if not token:
        token = request.session["live_participant"] = secrets.token_urlsafe(12)
    return participant_for(request.user, session, token)


def _read_message(request) -> dict:
    if request.content_type == "application/json":
        return protocol.parse(request.body.decode("utf-8", "replace"))
    # A form post (no JavaScript): the same fields; choices repeat.
    message = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "choices")}
    if request.POST.getlist("choices"):
        message["choices"] = request.POST.getlist("choices")
    for name in ("slide", "item", "question"):
        if name in message and message[name].isdigit():
            message[name] = int(message[name])
    if message.get("question") == "":
        message["question"] = None
    if "locked" in message:
        message["locked"] = message["locked"] == "1"
    return protocol.parse(json.dumps(message))


@never_cache
@require_http_methods(["GET", "POST"])
def join(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        code = form.cleaned_data["code"]
        if WRONG_CODES.reached(address):
            form.add_error("code", _("Too many wrong codes. Wait 10 minutes, or ask your teacher."))
        elif LiveSession.objects.filter(code=code, ended_at__isnull=True).exists():
            return redirect("live_pupil", code=code)
        else:
            WRONG_CODES.hit(address)
            form.add_error("code", _("No class is live with this code. Check the code on the board."))
    return render(request, "live/join.html", {"form": form})


@never_cache
def pupil(request, code):
    session = _open_session(request, code)
    participant = _participant(request, session)
    # Counted here too, so that a pupil whose school blocks sockets counts.
    before = state.joined(session.pk)
    count = state.join(session.pk, participant.token)
    if count != before:
        outcome = protocol.Outcome()
        outcome.send(protocol.SCREENS, {"type": "joined", "count": count})
        broadcast(session, outcome)
    slides = deck(session)
    current = protocol.public_state(session)
    with translation.override(session.lesson.locale.language_code):
        return render(
            request,
            "live/pupil.html",
            {"session": session, "slides": slides, "state": current, "code": code, "lesson": session.lesson},
        )


@never_cache
def pupil_state(request, code):
    session = _open_session(request, code)
    return JsonResponse(protocol.public_state(session))


@require_POST
def pupil_send(request, code):
    session = _open_session(request, code)
    participant = _participant(request, session)
    if not SENDS.take(participant.token):
        return JsonResponse({"type": "error", "reason": "too-fast"}, status=429)
    try:
        message = _read_message(request)
        outcome = protocol.pupil_message(session, participant, message)
    except protocol.BadMessage as bad:
        if request.content_type == "application/json":
            return JsonResponse({"type": "error", "reason": bad.reason}, status=400)
        messages.error(request, _("That answer could not be taken. Choose again."))
        return redirect("live_pupil", code=code)
    broadcast(session, outcome)
    if request.content_type == "application/json":
        return JsonResponse(outcome.reply or {})
    if outcome.reply and outcome.reply["type"] == "asked":
        messages.success(request, _("Your question was sent, without your name."))
    elif outcome.reply and outcome.reply["type"] == "answered":
        messages.success(request, _("Your answer was sent."))
    elif outcome.reply and outcome.reply["type"] == "refused":
        messages.info(request, _("This question is closed, or you already answered it."))
    return redirect("live_pupil", code=code)


# ---------------------------------------------------------------- teachers


def _own_session(request, pk) -> LiveSession:
    """A session of a class the teacher teaches; 404 for anyone else's."""
    return get_object_or_404(
        LiveSession.objects.select_related("lesson__locale", "classroom__school"),
        pk=pk,
        classroom__in=taught_classrooms(request.user),
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    classrooms = taught_classrooms(request.user).filter(archived_at__isnull=True).order_by("name")
    initial = {}
    if request.GET.get("lesson", "").isdigit():
        initial["lesson"] = int(request.GET["lesson"])
    if request.GET.get("classroom", "").isdigit():
        initial["classroom"] = int(request.GET["classroom"])
    form = SessionForm(request.POST or None, classrooms=classrooms, initial=initial)
    if request.method == "POST" and form.is_valid():
        session = services.session_open(
            teacher=request.user, classroom=form.cleaned_data["classroom"], lesson=form.cleaned_data["lesson"]
        )
        return redirect("live_presenter", pk=session.pk)
    sessions = LiveSession.objects.filter(classroom__in=classrooms).select_related("lesson", "classroom")
    return render(request, "live/session_new.html", {"form": form, "sessions": sessions.order_by("-started_at")[:10]})


def _screen_context(request, session, current):
    pupil_path = reverse("live_pupil", kwargs={"code": session.code})
    join_path = reverse("live_join")
    return {
        "session": session,
        "lesson": session.lesson,
        "slides": deck(session),
        "state": current,
        "join_address": public_url(join_path, request),
        "qr": qr_svg(public_url(pupil_path, request)),
    }


@teacher_required
@never_cache
def presenter(request, pk):
    session = _own_session(request, pk)
    if not session.is_open:
        return redirect("live_summary", pk=session.pk)
    current = protocol.teacher_state(session)
    context = _screen_context(request, session, current)
    context["report_address"] = reverse("report_start", kwargs={"code": session.classroom.school.code})
    context["help_lines"] = help_lines_for(jurisdiction_of(request.user))
    context["has_disclosure"] = any(q["disclosure"] for q in current["questions"])
    with translation.override(session.lesson.locale.language_code):
        return render(request, "live/presenter.html", context)


@teacher_required
@never_cache
def projector(request, pk):
    session = _own_session(request, pk)
    current = protocol.screen_state(session)
    with translation.override(session.lesson.locale.language_code):
        return render(request, "live/projector.html", _screen_context(request, session, current))


@teacher_required
@never_cache
def teacher_state(request, pk):
    session = _own_session(request, pk)
    view = protocol.teacher_state if request.GET.get("view") != "screen" else protocol.screen_state
    return JsonResponse(view(session))


@teacher_required
@require_POST
def control(request, pk):
    session = _own_session(request, pk)
    try:
        outcome = protocol.teacher_message(session, _read_message(request))
    except protocol.BadMessage as bad:
        if request.content_type == "application/json":
            return JsonResponse({"type": "error", "reason": bad.reason}, status=400)
        messages.error(request, _("That action could not be done. Nothing was changed."))
        return redirect("live_presenter", pk=pk)
    broadcast(session, outcome)
    if request.content_type == "application/json":
        return JsonResponse(outcome.reply or {})
    if outcome.reply and outcome.reply["type"] == "ended":
        return redirect("live_summary", pk=pk)
    return redirect("live_presenter", pk=pk)


@teacher_required
@never_cache
def summary(request, pk):
    session = _own_session(request, pk)
    data = session.summary if not session.is_open else services.summary_of(session)
    rows = []
    for slide in deck(session):
        activity = slide.activity
        if activity is None:
            continue
        found = data.get("activities", {}).get(activity.id, {})
        total = found.get("total", 0)
        counts = found.get("counts", {})
        chart = None
        if activity.options:
            chart = bar_chart(
                [(o.text, counts.get(o.id, 0)) for o in activity.options], maximum=max(total, 1), suffix=""
            )
        rows.append({"activity": activity, "total": total, "chart": chart, "words": found.get("words", [])})
    context = {
        "session": session,
        "lesson": session.lesson,
        "joined": data.get("joined", state.joined(session.pk)),
        "rows": rows,
        "questions": session.questions.all(),
    }
    return render(request, "live/summary.html", context)
