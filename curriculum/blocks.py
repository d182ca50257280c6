"""StreamField blocks of lessons and quizzes. Every lesson body uses
``LessonStreamBlock``; quizzes, pre-checks and post-checks use
``QuestionStreamBlock``. The block ids of questions and choices are the ids
that attempts store, so they never change once published."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_FEATURES = ["bold", "italic", "ul", "ol", "link"]


class LessonRichTextBlock(blocks.RichTextBlock):
    """Rich text with the few features lessons use (RICH_FEATURES): the
    lesson page sets the headings, and nothing is embedded."""

    def __init__(self, **kwargs):
        super().__init__(features=RICH_FEATURES, **kwargs)


class TextBlock(LessonRichTextBlock):
    class Meta:
        icon = "pilcrow"
        template = "blocks/text.html"
        label = _("Text")
        description = _("Paragraphs and lists.")
        preview_value = "<p>Pictures of people belong to them.</p>"


class MessageBlock(blocks.StructBlock):
    speaker = blocks.CharBlock(label=_("Speaker"), max_length=40)
    me = blocks.BooleanBlock(label=_("The reader's own message"), required=False)
    text = blocks.TextBlock(label=_("Message"), max_length=600)

    class Meta:
        icon = "comment"


class ScenarioBlock(blocks.StructBlock):
    """A chat between named characters, drawn like a messenger. Words only:
    never a picture that could look like a real fake."""

    title = blocks.CharBlock(label=_("Chat name"), max_length=80)
    messages = blocks.ListBlock(MessageBlock(), label=_("Messages"), min_num=2)

    class Meta:
        icon = "openquote"
        template = "blocks/scenario.html"
        label = _("Chat scenario")
        description = _("A dialogue rendered like a group chat.")
        preview_value = {
            "title": "6학년 2반 단톡방",
            "messages": [
                {"speaker": "지호", "me": False, "text": "이거 봤어?"},
                {"speaker": "나", "me": True, "text": "안 볼래."},
            ],
        }


class KeyPointBlock(LessonRichTextBlock):
    class Meta:
        icon = "pick"
        template = "blocks/key_point.html"
        label = _("Key point")
        description = _("The one thing to remember.")
        preview_value = "<p>It is never the victim's fault.</p>"


class VocabularyItemBlock(blocks.StructBlock):
    term = blocks.CharBlock(label=_("Term"), max_length=80)
    definition = blocks.TextBlock(label=_("Definition"), max_length=600)


class VocabularyBlock(blocks.StructBlock):
    items = blocks.ListBlock(VocabularyItemBlock(), label=_("Words"), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "blocks/vocabulary.html"
        label = _("Vocabulary")
        description = _("Terms and what they mean.")
        preview_value = {"items": [{"term": "딥페이크", "definition": "AI로 만든 가짜 영상이나 사진"}]}


class LegalFactBlock(blocks.StructBlock):
    fact = SnippetChooserBlock("curriculum.LegalFact", label=_("Legal fact"))

    class Meta:
        icon = "doc-full"
        template = "blocks/legal_fact.html"
        label = _("Legal fact")
        description = _("Shows a law from the legal facts list with its date and source.")


class HelpResourceBlock(blocks.StructBlock):
    resource = SnippetChooserBlock("curriculum.HelpResource", label=_("Help resource"))

    class Meta:
        icon = "help"
        template = "blocks/help_resource.html"
        label = _("Help resource")
        description = _("A help line or service from the help resources list.")


class VideoBlock(blocks.StructBlock):
    """A video file kept on the platform (no third-party player), with a
    transcript for those who cannot or do not want to watch."""

    video = DocumentChooserBlock(label=_("Video file (MP4 or WebM)"))
    caption = blocks.CharBlock(label=_("Caption"), max_length=200)
    transcript = blocks.TextBlock(label=_("Transcript"))

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")
        description = _("A video served by the platform itself, with a transcript.")


class ReflectionBlock(blocks.TextBlock):
    class Meta:
        icon = "help"
        template = "blocks/reflection.html"
        label = _("Reflection question")
        description = _("An open question to think or talk about.")
        preview_value = "친구가 사진을 지워 달라고 하면 어떻게 할까요?"


class TeacherNoteBlock(LessonRichTextBlock):
    """Only teachers and editors receive it: the templates leave it out of the
    HTML for everyone else."""

    class Meta:
        icon = "user"
        template = "blocks/teacher_note.html"
        label = _("Teacher-only note")
        description = _("Advice for teachers; never shown to students or parents.")
        preview_value = "<p>Pause here and check how the class is feeling.</p>"


class ContentWarningBlock(LessonRichTextBlock):
    class Meta:
        icon = "warning"
        template = "blocks/content_warning.html"
        label = _("Content warning")
        description = _("Shown before the content, with a way out to help.")
        preview_value = "<p>This lesson talks about sexual abuse.</p>"


class LessonStreamBlock(blocks.StreamBlock):
    text = TextBlock()
    scenario = ScenarioBlock()
    key_point = KeyPointBlock()
    vocabulary = VocabularyBlock()
    legal_fact = LegalFactBlock()
    help_resource = HelpResourceBlock()
    video = VideoBlock()
    reflection = ReflectionBlock()
    teacher_note = TeacherNoteBlock()
    content_warning = ContentWarningBlock()


QUESTION_KINDS = [
    ("single", _("Single choice")),
    ("multiple", _("Multiple choice")),
    ("true_false", _("True or false")),
]


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Choice"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.TextBlock(label=_("Feedback for this choice"), max_length=800)


class QuestionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=QUESTION_KINDS, default="single", label=_("Kind"))
    prompt = blocks.TextBlock(label=_("Question"), max_length=600)
    explanation = blocks.TextBlock(label=_("Explanation"), max_length=1200)
    choices = blocks.ListBlock(ChoiceBlock(), label=_("Choices"), min_num=2, max_num=6)

    class Meta:
        icon = "help"
        label = _("Question")
        description = _("A question with its choices; correct answers stay on the server until submitted.")

    def clean(self, value):
        from django.core.exceptions import ValidationError

        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        kind = value["kind"]
        if kind in ("single", "true_false") and correct != 1:
            raise ValidationError(_("A single-choice or true/false question needs exactly one correct choice."))
        if kind == "true_false" and len(value["choices"]) != 2:
            raise ValidationError(_("A true/false question has exactly two choices."))
        if kind == "multiple" and not 0 < correct < len(value["choices"]):
            raise ValidationError(_("A multiple-choice question needs at least one correct and one wrong choice."))
        return value


class QuestionStreamBlock(blocks.StreamBlock):
    question = QuestionBlock()
