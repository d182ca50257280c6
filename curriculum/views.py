"""Lesson, quiz, pre/post-check and certificate views. Wagtail's routable
pages call these; the logic stays here so it reads as ordinary Django."""

from __future__ import annotations

import random
import re
import secrets

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import caching, quiz, selectors, services
from .help_lines import help_lines_for_band
from .models import Certificate, LessonPage, ModulePage, QuizAttempt
from .page_cache import mark_cacheable
from .permissions import records_progress, sees_teacher_notes

TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret
# What secrets.token_urlsafe makes; anything else (a NUL byte, say) is refused.
_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.response = HttpResponseBadRequest(message)


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


def _question_views(page, stream, *, shuffle: bool, answers=None, result: quiz.Result | None = None, errors=()):
    """What the quiz template shows. Correct answers and feedback are only
    included once a result exists, i.e. after submission."""
    items = []
    rng = random.Random(secrets.randbits(32)) if shuffle and result is None else None
    for number, question in enumerate(quiz.questions_from_stream(stream), start=1):
        qid = question.id
        chosen = (answers or {}).get(qid, frozenset())
        choices = []
        for option in question.choices:
            choice = {"id": option.id, "text": option.text, "chosen": option.id in chosen}
            if result is not None:
                choice["correct"] = option.correct
                choice["feedback"] = option.feedback
            choices.append(choice)
        if rng:
            rng.shuffle(choices)
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
            item["explanation"] = question.explanation
        items.append(item)
    return items


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
    context["questions"] = _question_views(lesson, lesson.quiz, shuffle=lesson.shuffle_choices)
    return render(request, "curriculum/lesson_page.html", context)


def lesson_quiz_submit(request, lesson: LessonPage):
    questions = quiz.questions_from_stream(lesson.quiz)
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
                lesson, lesson.quiz, shuffle=False, answers=partial, errors=set(unanswered.question_ids)
            ),
            quiz_error=True,
        )
        context["form_token"] = token
        return render(request, "curriculum/lesson_page.html", context, status=200)
    result = quiz.grade(questions, answers, lesson.pass_mark)
    context = _lesson_context(request, lesson, with_progress=False)
    if context["records_progress"]:
        ids = context["source_ids"]
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
    context["result"] = result
    context["questions"] = _question_views(lesson, lesson.quiz, shuffle=False, answers=answers, result=result)
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
                shuffle=False,
                answers=_partial_answers(questions, request.POST),
                errors=set(unanswered.question_ids),
            )
            context["quiz_error"] = True
            context["form_token"] = token
            return render(request, "curriculum/module_check.html", context)
        # A check has no pass mark: it measures, it does not judge.
        result = quiz.grade(questions, answers, pass_mark=0)
        if records_progress(request.user):
            services.attempt_record(
                student=request.user,
                page_id=selectors.source_id(module),
                module=None,
                kind=which,
                answers=answers,
                result=result,
                form_token=token,
            )
        context["result"] = result
        context["questions"] = _question_views(module, stream, shuffle=False, answers=answers, result=result)
        return render(request, "curriculum/module_check.html", context)
    context["questions"] = _question_views(module, stream, shuffle=False)
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
