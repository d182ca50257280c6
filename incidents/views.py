"""The reporter's pages: find the school, the first screen, the form, the
receipt, and the follow-up with the receipt.

Every view here is wrapped in ``reporter_page``: the client address is turned
into a salted hash at once and then removed from the request together with
the user agent, so nothing later (a template, an error log, an error email)
can record them. The pages set no cookie until one is needed (the receipt and
follow-up sessions), never touch Django's session, and are never cached.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from schools.models import School

from . import ratelimit, receipts, reporter_sessions, sealing, selectors, services
from .forms import (
    STARTED_MAX_AGE,
    FollowUpForm,
    ReceiptConfirmForm,
    ReporterInfoForm,
    ReporterReplyForm,
    ReportForm,
    SchoolSearchForm,
    StartedToken,
    form_started,
    form_started_token,
)
from .models import Category, IncidentReport, SpamReason, Status, Urgency

# Everything in a request that could point to a person or a device.
IDENTIFYING_META = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
)
SEARCH_MIN_CHARS = 2
SEARCH_MAX_RESULTS = 10


def reporter_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.incident_fingerprint = ratelimit.client_fingerprint(request)
        for key in IDENTIFYING_META:
            request.META.pop(key, None)
        if request.method == "POST" and _cross_site(request):
            return _bad_request(request, status=403)
        response = view(request, *args, **kwargs)
        response.headers["Cache-Control"] = "no-store, max-age=0"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    # The report pages set no CSRF cookie (it would be a lasting identifier);
    # each form that changes something carries its own token instead, and
    # cross-site posts are refused above.
    return csrf_exempt(wrapped)


def _cross_site(request) -> bool:
    if request.META.get("HTTP_SEC_FETCH_SITE") == "cross-site":
        return True
    origin = request.META.get("HTTP_ORIGIN")
    # "null" is what browsers send under Referrer-Policy: no-referrer.
    if origin and origin != "null":
        return urlsplit(origin).netloc != request.get_host()
    return False


def _bad_request(request, status=400):
    return render(request, "incidents/bad_request.html", status=status)


def _school(code: str) -> School:
    return get_object_or_404(School.objects.select_related("district"), code=code.upper())


# --- finding the school ----------------------------------------------------------------


@reporter_page
@require_http_methods(["GET"])
def school_search(request):
    form = SchoolSearchForm(request.GET or None)
    results = None
    too_short = False
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"].strip()
        exact = School.objects.filter(code=query.upper().replace(" ", "")).first()
        if exact is not None:
            return redirect("report_start", code=exact.code)
        if len(query) < SEARCH_MIN_CHARS:
            too_short = True
        else:
            results = list(
                School.objects.filter(Q(name__icontains=query) | Q(code__istartswith=query))
                .order_by("name")
                .only("name", "code")[: SEARCH_MAX_RESULTS + 1]
            )
    context = {
        "form": form,
        "results": results[:SEARCH_MAX_RESULTS] if results is not None else None,
        "more_results": results is not None and len(results) > SEARCH_MAX_RESULTS,
        "too_short": too_short,
        "min_chars": SEARCH_MIN_CHARS,
    }
    return render(request, "incidents/report_search.html", context)


@reporter_page
@require_http_methods(["GET"])
def report_start(request, code):
    if code != code.upper():
        return redirect("report_start", code=code.upper())
    school = _school(code)
    return render(
        request, "incidents/report_start.html", {"school": school, "urgent_promise": services.urgent_promise()}
    )


# --- the form and the receipt ------------------------------------------------------------


def _spam_reason(form: ReportForm, started: StartedToken | None, now: float) -> str:
    if form.cleaned_data.get("website_url"):
        return SpamReason.HONEYPOT
    if started is None:
        return SpamReason.NO_TIMESTAMP
    if now - started.at < settings.INCIDENT_MIN_FILL_SECONDS:
        return SpamReason.TOO_FAST
    if not ratelimit.first_use_of_form(started.nonce, STARTED_MAX_AGE):
        return SpamReason.REPLAYED
    return SpamReason.NONE


def _form_again(request, school, form_data):
    """A form left open for more than two hours: shown again with what was
    typed and a new time stamp, so a pupil who took their time loses nothing
    and is not taken for a program (the time already spent counts)."""
    data = form_data.copy()
    data["started"] = form_started_token(timezone.now().timestamp() - settings.INCIDENT_MIN_FILL_SECONDS)
    context = {"school": school, "form": ReportForm(data), "threat": Category.THREAT, "urgent": Urgency.URGENT}
    return render(request, "incidents/report_form.html", context | {"stale": True})


def _receipt_redirect(request, session):
    response = HttpResponseRedirect(reverse("report_receipt"), status=303)
    if session is not None:
        reporter_sessions.set_cookie(response, request, session)
    return response


@reporter_page
@require_http_methods(["GET", "POST"])
def report_new(request, code):
    if code != code.upper():
        return redirect("report_new", code=code.upper())
    school = _school(code)
    if request.method == "POST":
        if request.POST.get("school") != school.code:
            return _bad_request(request)
        form = ReportForm(request.POST)
        if form.is_valid():
            now = timezone.now().timestamp()
            started = form_started(form.cleaned_data.get("started") or "")
            if started is not None and started.expired(now) and not form.cleaned_data.get("website_url"):
                return _form_again(request, school, request.POST)
            content = form.report_data()
            report, receipt = services.report_submit(
                school=school, spam_reason=_spam_reason(form, started, now), **content
            )
            if receipt is None:  # the same report again (a double tap): the first one's receipt page
                return _receipt_redirect(
                    request,
                    reporter_sessions.recall_for_duplicate(report.duplicate_key, content | {"school": school.pk}),
                )
            # The receipt travels only inside the encrypted, 15-minute cookie.
            session = reporter_sessions.start(reporter_sessions.RECEIPT, {"report_id": report.pk, "receipt": receipt})
            reporter_sessions.remember_for_duplicate(report.duplicate_key, session, content | {"school": school.pk})
            return _receipt_redirect(request, session)
        if form.forged():
            return _bad_request(request)
    else:
        form = ReportForm(initial={"school": school.code, "started": form_started_token()})
    context = {"school": school, "form": form, "threat": Category.THREAT, "urgent": Urgency.URGENT}
    return render(request, "incidents/report_form.html", context, status=200)


@reporter_page
@require_http_methods(["GET", "POST"])
def report_receipt(request):
    """The receipt, shown until the reporter confirms they saved it, and only
    within the short anonymous session that submitted the report.

    Every POST here is answered with a redirect and, once the session has
    ended, the address redirects to a page that says why: so Back after the
    receipt never lands on a browser's "resend the form?" error."""
    session = reporter_sessions.load(request, reporter_sessions.RECEIPT)
    if session is None:
        response = HttpResponseRedirect(reverse("report_receipt_shown"), status=303)
        reporter_sessions.delete_cookie(response, reporter_sessions.RECEIPT)
        return response
    if request.method == "POST":
        if not session.form_token_ok(request.POST.get("form_token")):
            return _bad_request(request)
        if not ReceiptConfirmForm(request.POST).is_valid():
            return HttpResponseRedirect(reverse("report_receipt") + "?saved=missing#error-summary", status=303)
        reporter_sessions.end(session)
        response = HttpResponseRedirect(reverse("report_next_steps"), status=303)
        reporter_sessions.delete_cookie(response, reporter_sessions.RECEIPT)
        return response
    form = ReceiptConfirmForm({}) if request.GET.get("saved") == "missing" else ReceiptConfirmForm()
    receipt = session.data["receipt"]
    context = {"groups": receipts.grouped(receipt), "form": form, "form_token": session.form_token}
    return render(request, "incidents/report_receipt.html", context)


@reporter_page
@require_http_methods(["GET"])
def report_receipt_shown(request):
    return render(request, "incidents/report_receipt_gone.html")


@reporter_page
@require_http_methods(["GET"])
def report_next_steps(request):
    return render(request, "incidents/report_next_steps.html")


# --- follow-up with the receipt --------------------------------------------------------------

NOT_FOUND = "not_found"
TOO_MANY_MESSAGES = _(
    "You have sent many messages in a short time. Please wait a little; the counselor will read all of them."
)


@reporter_page
@require_http_methods(["GET", "POST"])
def followup_start(request):
    if request.method == "GET" and reporter_sessions.load(request, reporter_sessions.FOLLOWUP):
        return redirect("followup_case")
    form = FollowUpForm(request.POST or None)
    status = 200
    problem = None
    if request.method == "POST" and form.is_valid():
        receipt = form.cleaned_data["receipt"]
        fingerprint = request.incident_fingerprint
        if not ratelimit.receipt_guess_allowed(fingerprint, receipt):
            problem, status = "too_many", 429
        else:
            report, reporter_key = services.report_and_key_for_receipt(receipt)
            if report is not None:
                ratelimit.receipt_was_right(fingerprint, receipt)
                # The key derived from the receipt travels only inside the
                # reporter's own encrypted cookie: it opens their copy of the
                # report's key, so they read the replies with the receipt alone.
                data = {"report_id": report.pk, "rk": sealing.b64encode(bytes(reporter_key))}
                session = reporter_sessions.start(reporter_sessions.FOLLOWUP, data)
                response = HttpResponseRedirect(reverse("followup_case"), status=303)
                reporter_sessions.set_cookie(response, request, session)
                return response
            if ratelimit.record_wrong_receipt(fingerprint, receipt):
                problem, status = "too_many", 429
            else:
                problem = NOT_FOUND
    context = {"form": form, "problem": problem, "expired": request.GET.get("ended") == "1"}
    return render(request, "incidents/followup_start.html", context, status=status)


def _followup_session(request):
    session = reporter_sessions.load(request, reporter_sessions.FOLLOWUP)
    if session is None:
        return None, None
    report = (
        IncidentReport.objects.filter(pk=session.data["report_id"])
        .only("pk", "status", "category", "created_at", "routed_to", "school", "school__name")
        .select_related("school")
        .first()
    )
    if report is None:  # deleted after its retention period
        reporter_sessions.end(session)
        return None, None
    reporter_sessions.touch(session)
    return session, report


def _followup_redirect(request, session, suffix: str):
    response = HttpResponseRedirect(reverse("followup_case") + suffix, status=303)
    reporter_sessions.set_cookie(response, request, session)
    return response


def _followup_expired():
    response = HttpResponseRedirect(reverse("followup_start") + "?ended=1", status=303)
    reporter_sessions.delete_cookie(response, reporter_sessions.FOLLOWUP)
    return response


def _reporter_key(session):
    try:
        return sealing.private_key(sealing.b64decode(session.data.get("rk", "")))
    except sealing.SealingError:
        return None


def _render_case(request, session, report, *, reply_form=None, info_form=None, status=200):
    reporter_key = _reporter_key(session)
    context = {
        "report": report,
        "own_report": selectors.reporter_own_report(report, reporter_key),
        "messages_list": selectors.reporter_messages(report, reporter_key),
        "reply_form": reply_form or ReporterReplyForm(),
        "info_form": info_form or ReporterInfoForm(),
        "form_token": session.form_token,
        "sent": request.GET.get("sent"),
        "status_new": Status.NEW,
    }
    response = render(request, "incidents/followup_case.html", context, status=status)
    reporter_sessions.set_cookie(response, request, session)
    return response


@reporter_page
@require_http_methods(["GET"])
def followup_case(request):
    session, report = _followup_session(request)
    if session is None:
        return _followup_expired()
    return _render_case(request, session, report)


@reporter_page
@require_http_methods(["POST"])
def followup_reply(request):
    session, report = _followup_session(request)
    if session is None:
        return _followup_expired()
    if not session.form_token_ok(request.POST.get("form_token")):
        return _bad_request(request)
    form = ReporterReplyForm(request.POST)
    if form.is_valid() and not ratelimit.reporter_may_write(report.pk):
        form.add_error(None, TOO_MANY_MESSAGES)
    if not form.is_valid():
        return _render_case(request, session, report, reply_form=form)
    services.reporter_reply(report=report, body=form.cleaned_data["body"])
    return _followup_redirect(request, session, "?sent=reply#messages")


@reporter_page
@require_http_methods(["POST"])
def followup_add_info(request):
    session, report = _followup_session(request)
    if session is None:
        return _followup_expired()
    if not session.form_token_ok(request.POST.get("form_token")):
        return _bad_request(request)
    form = ReporterInfoForm(request.POST)
    if form.is_valid() and not ratelimit.reporter_may_write(report.pk):
        form.add_error(None, TOO_MANY_MESSAGES)
    if not form.is_valid():
        return _render_case(request, session, report, info_form=form)
    services.reporter_add_info(
        report=report,
        link=form.cleaned_data["link"],
        handle=form.cleaned_data["handle"],
        body=form.cleaned_data["info"],
    )
    return _followup_redirect(request, session, "?sent=info#messages")


@reporter_page
@require_http_methods(["GET", "POST"])
def followup_leave(request):
    """End the follow-up and ask the browser to forget this site's pages,
    cookies and storage (Clear-Site-Data)."""
    reporter_sessions.end(reporter_sessions.load(request, reporter_sessions.FOLLOWUP))
    reporter_sessions.end(reporter_sessions.load(request, reporter_sessions.RECEIPT))
    response = render(request, "incidents/followup_left.html")
    reporter_sessions.delete_cookie(response, reporter_sessions.FOLLOWUP)
    reporter_sessions.delete_cookie(response, reporter_sessions.RECEIPT)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
