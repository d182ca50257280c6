"""Lesson, quiz, pre/post-check and certificate views. Wagtail's routable
pages call these; the logic stays here so it reads as ordinary Django."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import permissions as roles

from . import caching, quiz, selectors, services
from .help_lines import help_lines_for_band
from .models import Certificate, LessonPage, ModulePage, QuizAttempt
from .page_cache import mark_cacheable
from .permissions import records_progress, sees_teacher_notes
from .signals import first_quiz_answers

TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret
# What secrets.token_urlsafe makes; anything else (a NUL byte, say) is refused.
_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.response = HttpResponseBadRequest(message)


def _posted_form(request) -> str:
    """Which form of the quiz was answered (A when the field is absent: a
    module check, or a page sent before there were two forms)."""
    form = request.POST.get(quiz.FORM_FIELD, quiz.FORM_A)
    if form not in quiz.FORMS:
        raise _Refused(_("The form was not sent correctly. Reload the page and try again."))
    return form


def _posted(request, questions) -> tuple[str, dict]:
    """The form token and the answers of a lesson quiz or a module check.
    Raises _Refused (400) for a malformed or forged post, quiz.Unanswered
    when questions are left open (the token is then valid)."""
    token = request.POST.get(TOKEN_FIELD, "")
    if not _FORM_TOKEN.fullmatch(token):
        raise _Refused(_("The form was not sent correctly. Reload the page and try again."))
    try:
        return token, quiz.parse_answers(questions, dict(request.POST.lists()))
    except quiz.ForgedAnswers:
        raise _Refused(_("The answers do not belong to this quiz. Reload the page and try again.")) from None


def _question_views(
    page,
    stream,
    *,
    token: str,
    shuffle: bool,
    answers=None,
    result: quiz.Result | None = None,
    errors=(),
    reveal=False,
    form: str = quiz.FORM_A,
):
    """What the quiz template shows: the questions in ``form`` (A or B),
    choices in the order of this attempt (``token``). Before submission nothing tells which choice is right.
    After it, each question says whether it was right, with the feedback of
    the chosen choices; the correct choices, their feedback and the
    explanation only when ``reveal`` (quiz.reveals_key)."""
    items = []
    for number, question in enumerate(quiz.questions_from_stream(stream, form), start=1):
        qid = question.id
        chosen = (answers or {}).get(qid, frozenset())
        options = (
            quiz.choice_order(question, secret=settings.SECRET_KEY, attempt=token) if shuffle else question.choices
        )
        choices = []
        for option in options:
            choice = {"id": option.id, "text": option.text, "chosen": option.id in chosen}
            if result is not None:
                choice["correct"] = option.correct and reveal
                choice["feedback"] = option.feedback if (reveal or choice["chosen"]) else ""
            choices.append(choice)
        item = {
            "number": number,
            "id": qid,
            "kind": question.kind,
            "prompt": question.prompt,
            "choices": choices,
            "error": qid in errors,
        }
        if result is not None:
            item["correct"] = result.correct_by_question.get(qid, False)
            item["explanation"] = question.explanation if reveal else ""
        items.append(item)
    return items


def _tries(request, *, page_id: int, kind: str, token: str, answers, stored: bool, form: str = quiz.FORM_A) -> int:
    """How many times this visitor has sent this quiz or check, this one
    included: the stored attempts, or (results not stored: no consent, no
    account) the different attempts sent in this session. An attempt is its
    token and answers: a resent result page does not count again, and an
    anonymous visitor, whose cached page always carries the same token,
    still counts each new set of answers. Without stored results the
    session also remembers the form of the next try (the other one)."""
    if stored:
        return QuizAttempt.objects.filter(student=request.user, page_id=page_id, kind=kind).count()
    key = f"quiz-tries:{kind}:{page_id}"
    chosen = ";".join(f"{qid}={','.join(sorted(ids))}" for qid, ids in sorted(answers.items()))
    attempt = hashlib.sha256(f"{token}|{chosen}".encode()).hexdigest()[:16]
    seen = request.session.get(key, [])
    if attempt not in seen:
        seen = [*seen, attempt][-quiz.TRIES_BEFORE_KEY :]
        request.session[key] = seen
        request.session[_next_form_key(kind, page_id)] = quiz.form_for_try(1 if form == quiz.FORM_A else 0)
    return len(seen)


def _next_form_key(kind: str, page_id: int) -> str:
    return f"quiz-next-form:{kind}:{page_id}"


def _next_form(request, *, page_id: int, progress, stored: bool) -> str:
    """The form of a pupil's next try at a lesson quiz: A, then B, then A...
    counted from the stored attempts (the progress row the page reads
    anyway), or from the session when results are not stored. Anonymous
    visitors share one cached page, which always shows form A."""
    if stored:
        return quiz.form_for_try(progress.attempts if progress is not None else 0)
    if not request.user.is_authenticated:
        return quiz.FORM_A
    return request.session.get(_next_form_key(QuizAttempt.Kind.QUIZ, page_id), quiz.FORM_A)


def _tell_first_answers(request, page_id: int, answers, result: quiz.Result) -> None:
    """A signed-in learner's first try at a quiz (their first stored attempt,
    or without consent the first in this session: ``_tries``) goes to the
    listeners of ``first_quiz_answers``: the classroom counts it for the
    class, with no link to the learner."""
    if not request.user.is_authenticated:
        return
    first_quiz_answers.send(
        sender=LessonPage,
        student=request.user,
        page_id=page_id,
        answers=answers,
        correct=result.correct_by_question,
    )


def _consent_context(request, stored: bool) -> dict:
    """A pupil whose results wait for a guardian's consent is told so, not
    asked to log in."""
    return {"waits_for_consent": not stored and roles.is_student(request.user)}


def _lesson_context(request, lesson: LessonPage, with_progress=True, **extra):
    module = lesson.module
    ids = selectors.source_ids([lesson, module])
    show_teacher_notes = sees_teacher_notes(request.user)
    body_html, help_resources = caching.lesson_parts(
        lesson, show_teacher_notes=show_teacher_notes, jurisdiction=selectors.jurisdiction_of(request.user)
    )
    context = {
        "page": lesson,
        "self": lesson,
        "module": module,
        "show_teacher_notes": show_teacher_notes,
        "help_resources": help_resources,
        "body_html": body_html,
        "next_lesson": selectors.next_lesson(lesson),
        "progress": selectors.lesson_progress(lesson, request.user, ids[lesson.pk]) if with_progress else None,
        "records_progress": records_progress(request.user),
        "form_token": secrets.token_urlsafe(24),
        "source_ids": ids,
    }
    context.update(extra)
    return context


def lesson_page(request, lesson: LessonPage):
    mark_cacheable(request)
    context = _lesson_context(request, lesson)
    if context["records_progress"] and context["progress"] is None:
        ids = context["source_ids"]
        context["progress"] = services.lesson_open(
            student=request.user, lesson_id=ids[lesson.pk], module_id=ids[context["module"].pk]
        )
    form = _next_form(
        request,
        page_id=context["source_ids"][lesson.pk],
        progress=context["progress"],
        stored=context["records_progress"],
    )
    context["quiz_form"] = form
    context["questions"] = _question_views(
        lesson, lesson.quiz, token=context["form_token"], shuffle=lesson.shuffle_choices, form=form
    )
    return render(request, "curriculum/lesson_page.html", context)


def lesson_quiz_submit(request, lesson: LessonPage):
    try:
        form = _posted_form(request)
    except _Refused as refused:
        return refused.response
    questions = quiz.questions_from_stream(lesson.quiz, form)
    if not questions:
        return HttpResponseBadRequest(_("This lesson has no quiz."))
    try:
        token, answers = _posted(request, questions)
    except _Refused as refused:
        return refused.response
    except quiz.Unanswered as unanswered:
        token = request.POST[TOKEN_FIELD]
        partial = _partial_answers(questions, request.POST)
        context = _lesson_context(
            request,
            lesson,
            questions=_question_views(
                lesson,
                lesson.quiz,
                token=token,
                shuffle=lesson.shuffle_choices,
                answers=partial,
                errors=set(unanswered.question_ids),
                form=form,
            ),
            quiz_error=True,
            quiz_form=form,
        )
        context["form_token"] = token
        return render(request, "curriculum/lesson_page.html", context, status=200)
    result = quiz.grade(questions, answers, lesson.pass_mark)
    context = _lesson_context(request, lesson, with_progress=False)
    ids = context["source_ids"]
    stored = context["records_progress"]
    if stored:
        module = context["module"]
        source_module = _source_module(module, ids)
        recorded = services.attempt_record(
            student=request.user,
            page_id=ids[lesson.pk],
            module=source_module,
            kind=QuizAttempt.Kind.QUIZ,
            answers=answers,
            result=result,
            form_token=token,
        )
        context["progress"] = recorded.progress
        context["certificate"] = recorded.certificate
    tries = _tries(
        request,
        page_id=ids[lesson.pk],
        kind=QuizAttempt.Kind.QUIZ,
        token=token,
        answers=answers,
        stored=stored,
        form=form,
    )
    if tries == 1:
        _tell_first_answers(request, ids[lesson.pk], answers, result)
    reveal = quiz.reveals_key(result, tries)
    context.update(_consent_context(request, stored), result=result, reveal=reveal, form_token=token, quiz_form=form)
    context["questions"] = _question_views(
        lesson,
        lesson.quiz,
        token=token,
        shuffle=lesson.shuffle_choices,
        answers=answers,
        result=result,
        reveal=reveal,
        form=form,
    )
    return render(request, "curriculum/lesson_page.html", context)


def _source_module(module: ModulePage, ids: dict[int, int]) -> ModulePage:
    """The source-language module that progress rows point at (no query when
    the visitor already reads the source language)."""
    return module if ids[module.pk] == module.pk else ModulePage.objects.get(pk=ids[module.pk])


def _partial_answers(questions, post) -> dict[str, frozenset[str]]:
    """What the student did answer, to show the form again with it kept."""
    answers = {}
    for question in questions:
        chosen = frozenset(post.getlist(f"{quiz.FIELD_PREFIX}{question.id}")) & question.choice_ids
        if chosen:
            answers[question.id] = chosen
    return answers


def lesson_mark_read(request, lesson: LessonPage):
    if request.method != "POST":
        return redirect(lesson.url)
    if records_progress(request.user):
        module = lesson.module
        ids = selectors.source_ids([lesson, module])
        source_module = _source_module(module, ids)
        services.lesson_mark_read(student=request.user, lesson_id=ids[lesson.pk], module=source_module)
    nxt = selectors.next_lesson(lesson)
    return redirect(nxt.url if nxt else lesson.module.url)


def module_check(request, module: ModulePage, which: str):
    stream = module.precheck if which == "pre" else module.postcheck
    questions = quiz.questions_from_stream(stream)
    if not questions:
        raise PermissionDenied
    context = {"page": module, "self": module, "which": which, "form_token": secrets.token_urlsafe(24)}
    if request.method == "POST":
        try:
            token, answers = _posted(request, questions)
        except _Refused as refused:
            return refused.response
        except quiz.Unanswered as unanswered:
            token = request.POST[TOKEN_FIELD]
            context["questions"] = _question_views(
                module,
                stream,
                token=token,
                shuffle=False,
                answers=_partial_answers(questions, request.POST),
                errors=set(unanswered.question_ids),
            )
            context["quiz_error"] = True
            context["form_token"] = token
            return render(request, "curriculum/module_check.html", context)
        # A check has no pass mark: it measures, it does not judge.
        result = quiz.grade(questions, answers, pass_mark=0)
        stored = records_progress(request.user)
        page_id = selectors.source_id(module)
        if stored:
            services.attempt_record(
                student=request.user,
                page_id=page_id,
                module=None,
                kind=which,
                answers=answers,
                result=result,
                form_token=token,
            )
        tries = _tries(request, page_id=page_id, kind=which, token=token, answers=answers, stored=stored)
        reveal = quiz.reveals_key(result, tries, graded=False)
        context.update(_consent_context(request, stored), result=result, reveal=reveal)
        context["questions"] = _question_views(
            module, stream, token=token, shuffle=False, answers=answers, result=result, reveal=reveal
        )
        return render(request, "curriculum/module_check.html", context)
    context["questions"] = _question_views(module, stream, token=context["form_token"], shuffle=False)
    return render(request, "curriculum/module_check.html", context)


def family_sheet(request, module: ModulePage):
    """The printable take-home sheet of a student module: the same for every
    visitor, so it is cached like the module page."""
    mark_cacheable(request)
    context = {
        "page": module,
        "self": module,
        "sheet_lines": help_lines_for_band(module.band, selectors.jurisdiction_of(request.user)),
    }
    return render(request, "curriculum/family_sheet.html", context)


@login_required
def module_certificate(request, module: ModulePage):
    certificate = get_object_or_404(Certificate, student=request.user, module_id=selectors.source_id(module))
    return render(request, "curriculum/certificate.html", {"page": module, "certificate": certificate})


def certificate_verify(request, code: str | None = None):
    code = (code or request.GET.get("code", "")).strip().upper()
    certificate = None
    module = None
    if code:
        certificate = Certificate.objects.filter(code=code).select_related("module").first()
        if certificate:
            module = certificate.module.localized
    return render(
        request,
        "curriculum/certificate_verify.html",
        {"code": code, "certificate": certificate, "module": module},
        status=200 if certificate or not code else 404,
    )
