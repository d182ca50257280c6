"""Curriculum models: Wagtail pages, snippets, and learners' progress."""

from .pages import Band, HomePage, LessonPage, ModulePage, SectionPage
from .progress import Certificate, LessonProgress, QuizAttempt
from .snippets import HelpResource, LegalFact

__all__ = [
    "Band",
    "Certificate",
    "HelpResource",
    "HomePage",
    "LegalFact",
    "LessonPage",
    "LessonProgress",
    "ModulePage",
    "QuizAttempt",
    "SectionPage",
]
