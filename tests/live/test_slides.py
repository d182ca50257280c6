from wagtail.models import Locale

from curriculum.models import LessonPage
from live.slides import CHARS_PER_SLIDE, _split_rich_text, build_slides, slides_for


def test_a_lesson_becomes_one_slide_per_block_with_the_quiz_at_the_end(lesson):
    slides = build_slides(lesson)
    body_blocks = [b for b in lesson.body if b.block_type != "teacher_note"]
    assert slides[0].kind == "title" and lesson.title in slides[0].html
    assert len(slides) >= 1 + len(body_blocks) + 1 + len(lesson.quiz)
    quiz_slides = [s for s in slides if s.kind == "quiz"]
    assert [s.activity.id for s in quiz_slides] == [str(q.id) for q in lesson.quiz]
    assert [s.index for s in slides] == list(range(len(slides)))


def test_teacher_notes_are_never_in_the_html_every_view_sees(lesson):
    notes = [str(b.value) for b in lesson.body if b.block_type == "teacher_note"]
    slides = build_slides(lesson)
    for slide in slides:
        assert "teacher-note" not in slide.html
        assert slide.notes  # the teacher's note or the block's teaching hint
    for note in notes:
        assert any(note[:40] in s.notes for s in slides)


def test_correct_answers_stay_out_of_the_public_view_of_an_activity(lesson):
    activity = next(s.activity for s in build_slides(lesson) if s.kind == "quiz")
    assert activity.correct
    public = activity.public()
    assert "correct" not in public and "feedback" not in public


def test_long_rich_text_is_split_where_paragraphs_end():
    paragraph = "<p>" + "가" * 120 + "</p>"
    chunks = _split_rich_text(paragraph * 5)
    assert len(chunks) == 3
    assert "".join(chunks) == paragraph * 5
    assert all(len(c) - 7 * c.count("<p>") <= CHARS_PER_SLIDE for c in chunks)


def test_an_english_lesson_gives_english_slides(lesson):
    english = lesson.get_translation(Locale.objects.get(language_code="en"))
    slides = slides_for(LessonPage.objects.get(pk=english.pk))
    assert english.title in slides[0].html
    sure = next(s.activity for s in slides if s.activity and s.activity.id == "sure")
    assert sure.prompt.startswith("How sure are you")
