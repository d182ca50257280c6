"""StreamField blocks of lessons and quizzes. Every lesson body uses
``LessonStreamBlock``; quizzes, pre-checks and post-checks use
``QuestionStreamBlock``. The block ids of questions and choices are the ids
that attempts store, so they never change once published."""

import re
from functools import lru_cache

from django import forms
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
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


# The names of the recurring ideas, as the icon manifest names them
# (content/illustrations.yaml "icons").
IDEA_ICONS = [
    ("ask-first", pgettext_lazy("recurring idea", "Ask first")),
    ("stop", pgettext_lazy("recurring idea", "Stop")),
    ("tell-an-adult", pgettext_lazy("recurring idea", "Tell a trusted adult")),
    ("report", pgettext_lazy("recurring idea", "Report")),
]


class IdeaBlock(blocks.StructBlock):
    """A key point about one of the recurring ideas, shown with its icon
    (static/img/icons/) and the idea's name beside it: the icon is then
    decorative and hidden from screen readers, which read the name."""

    icon = blocks.ChoiceBlock(choices=IDEA_ICONS, label=_("Idea"))
    text = LessonRichTextBlock(label=_("Key point"))

    class Meta:
        icon = "pick"
        template = "blocks/idea.html"
        label = _("Key point with an icon")
        description = _("Ask first, stop, tell a trusted adult or report: the key point with its icon.")
        preview_value = {"icon": "stop", "text": "<p>If a friend says no, stop.</p>"}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["icon_file"] = f"img/icons/{value['icon']}.svg"
        context["idea_name"] = dict(IDEA_ICONS).get(value["icon"], "")
        return context


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


STATIC_IMAGE = r"^img/[a-z0-9/_-]+\.svg$"


@lru_cache(maxsize=256)
def svg_size(path: str) -> tuple[int, int] | None:
    """Width and height of a static SVG from its viewBox, so the page keeps
    the picture's place before it arrives (no jump on a slow phone)."""
    found = finders.find(path)
    if not found:
        return None
    with open(found, encoding="utf-8") as fh:
        head = fh.read(2048)
    match = re.search(r'viewBox="\s*[\d.-]+[\s,]+[\d.-]+[\s,]+([\d.]+)[\s,]+([\d.]+)', head)
    return (round(float(match[1])), round(float(match[2]))) if match else None


class StaticImageBlock(blocks.FieldBlock):
    """The path of a drawing under static/ (``img/lessons/e12/….svg``). Not a
    CharBlock, so wagtail-localize keeps it in step with the Korean page
    instead of offering it for translation."""

    def __init__(self, required=True, help_text=None, **kwargs):
        self.field = forms.RegexField(regex=STATIC_IMAGE, required=required, help_text=help_text, max_length=200)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not finders.find(value):
            raise ValidationError(_("There is no picture at static/%(path)s.") % {"path": value})
        return value


class IllustrationBlock(blocks.StructBlock):
    """A drawing from static/img/ with alt text in the page's language. The
    loader places them from content/illustrations.yaml; editors may move them."""

    image = StaticImageBlock(
        label=_("Picture file"), help_text=_("Path under static/, e.g. img/lessons/e12/pictures-need-permission-1.svg")
    )
    alt = blocks.CharBlock(
        label=_("Alternative text"), max_length=400, help_text=_("What the picture shows, for a screen reader.")
    )

    class Meta:
        icon = "image"
        template = "blocks/illustration.html"
        label = _("Illustration")
        description = _("A drawing from the lesson art, with its alt text.")
        preview_value = {
            "image": "img/lessons/e12/pictures-need-permission-1.svg",
            "alt": "한 아이가 친구에게 사진을 찍어도 되는지 물어봐요.",
        }

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["size"] = svg_size(value["image"])
        return context


class DilemmaChoiceBlock(blocks.StructBlock):
    choice = blocks.CharBlock(label=_("What I could do"), max_length=300)
    outcome = blocks.TextBlock(label=_("What happens next"), max_length=1200)
    reflection = blocks.TextBlock(label=_("Question to think about"), max_length=600)


class DilemmaBlock(blocks.StructBlock):
    """A branching scenario: a situation and 2-4 choices, each opening (in a
    <details>, no script) onto what happens next and a question. Honest
    consequences, not a right answer that converts everyone at once."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    situation = blocks.TextBlock(label=_("Situation"), max_length=1500)
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    choices = blocks.ListBlock(DilemmaChoiceBlock(), label=_("Choices"), min_num=2, max_num=4)

    class Meta:
        icon = "resubmit"
        template = "blocks/dilemma.html"
        label = _("Dilemma")
        description = _("A situation with 2-4 choices; each shows what happens next and a question to think about.")
        preview_value = {
            "title": "링크가 올라왔어요",
            "situation": "반 단톡방에 '이거 누구게?'라는 말과 함께 링크가 올라왔어요.",
            "question": "나는 어떻게 할까요?",
            "choices": [
                {"choice": "열어 본다", "outcome": "…", "reflection": "…"},
                {"choice": "열지 않고 어른에게 알린다", "outcome": "…", "reflection": "…"},
            ],
        }


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
    illustration = IllustrationBlock()
    dilemma = DilemmaBlock()
    idea = IdeaBlock()


QUESTION_KINDS = [
    ("single", _("Single choice")),
    ("multiple", _("Multiple choice")),
    ("true_false", _("True or false")),
]


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Choice"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.TextBlock(label=_("Feedback for this choice"), max_length=800)


def _check_choices(kind: str, choices) -> None:
    correct = sum(1 for choice in choices if choice["correct"])
    if kind in ("single", "true_false") and correct != 1:
        raise ValidationError(_("A single-choice or true/false question needs exactly one correct choice."))
    if kind == "true_false" and len(choices) != 2:
        raise ValidationError(_("A true/false question has exactly two choices."))
    if kind == "multiple" and not 0 < correct < len(choices):
        raise ValidationError(_("A multiple-choice question needs at least one correct and one wrong choice."))


class QuestionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=QUESTION_KINDS, default="single", label=_("Kind"))
    prompt = blocks.TextBlock(label=_("Question"), max_length=600)
    explanation = blocks.TextBlock(label=_("Explanation"), max_length=1200)
    choices = blocks.ListBlock(ChoiceBlock(), label=_("Choices"), min_num=2, max_num=6)
    # The second form, shown on every other try so that a retry is not the
    # same quiz: the same question in other words, with choices (and ids) of
    # its own. Fields of the question itself, not a nested block, because
    # wagtail-localize does not reach a list inside a nested StructBlock.
    alt_prompt = blocks.TextBlock(
        label=_("Second form: question"),
        max_length=600,
        required=False,
        help_text=_("Optional: the same question in other words, with its own choices. Shown on every other try."),
    )
    alt_explanation = blocks.TextBlock(label=_("Second form: explanation"), max_length=1200, required=False)
    alt_choices = blocks.ListBlock(ChoiceBlock(), label=_("Second form: choices"), min_num=0, max_num=6)

    class Meta:
        icon = "help"
        label = _("Question")
        description = _("A question with its choices; correct answers stay on the server until submitted.")

    def clean(self, value):
        value = super().clean(value)
        kind = value["kind"]
        _check_choices(kind, value["choices"])
        if value["alt_prompt"].strip() or len(value["alt_choices"]):
            if not value["alt_prompt"].strip():
                raise ValidationError(_("The second form needs its question, or leave it empty."))
            _check_choices(kind, value["alt_choices"])
        return value


class QuestionStreamBlock(blocks.StreamBlock):
    question = QuestionBlock()
