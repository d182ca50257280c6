"""Read-aloud on a lesson: the button appears with script, covers the quiz,
and a device with no voice for the page's language (headless Chromium has
none) says so next to the button instead of doing nothing."""

import pytest

from .conftest import PHONE, new_page

LESSON = "/learn/e12-my-pictures/pictures-need-permission/"


@pytest.mark.parametrize(
    ("language", "prefix", "message"),
    [("ko", "", "이 기기에는 한국어 음성이 없어요"), ("en", "/en", "This device has no English voice")],
)
def test_read_aloud_says_when_the_device_has_no_voice(browser, server, a11y, language, prefix, message):
    page = new_page(browser, server, PHONE, language=language)
    page.goto(f"{prefix}{LESSON}")
    button = page.locator("button[data-read-aloud]")
    button.wait_for(state="visible")
    status = page.locator("[data-read-aloud-status]")
    assert status.is_hidden()
    # The script reads the quiz too: its prompts and choices are marked.
    assert page.locator("#quiz legend[data-read-aloud-part]").count() > 0
    voices = page.evaluate("() => speechSynthesis.getVoices().map(v => v.lang)")
    wanted = [lang for lang in voices if lang.lower().startswith(language)]
    button.click()
    if wanted:  # a device with a voice: it reads, and the button says Stop
        page.locator("button[data-read-aloud] [data-label-stop]").wait_for(state="visible")
        button.click()
    else:
        status.wait_for(state="visible")
        assert message in status.inner_text()
        assert status.get_attribute("role") == "status"
        a11y.check(page, "lesson with the no-voice message")
    page.context.close()


# A device with a Korean voice, faked: speaking takes a moment and records
# what was said and what was highlighted while it was said.
FAKE_VOICE = """
window.__said = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", { value: {
  speaking: false,
  getVoices: function () { return [{ lang: "ko-KR", name: "fake" }]; },
  addEventListener: function () {}, removeEventListener: function () {},
  cancel: function () {},
  speak: function (u) {
    setTimeout(function () {
      u.onstart && u.onstart();
      var marked = CSS.highlights.get("read-aloud");
      var block = document.querySelector(".read-aloud-current");
      window.__said.push({ text: u.text, marked: marked ? Array.from(marked)[0].toString() : null,
                           block: block ? block.textContent : null });
      setTimeout(function () { u.onend && u.onend(); }, 1);
    }, 1);
  }
} });
"""


def test_read_aloud_reads_the_quiz_and_highlights_each_sentence(browser, server):
    page = new_page(browser, server, PHONE)
    page.add_init_script(FAKE_VOICE)
    page.goto(LESSON)
    prompts = [t.strip() for t in page.locator("#quiz legend[data-read-aloud-part]").all_text_contents()]
    choices = [t.strip() for t in page.locator("#quiz .choice [data-read-aloud-part]").all_text_contents()]
    page.locator("button[data-read-aloud]").click()
    page.locator("button[data-read-aloud] [data-label-start]").wait_for(state="visible", timeout=30000)
    said = page.evaluate("window.__said")
    texts = [s["text"] for s in said]
    assert page.locator("[data-read-aloud-status]").is_hidden()
    # The lesson first, then every choice of the quiz (and its prompts, sentence by sentence).
    spoken = "".join(texts).replace(" ", "")
    assert not any(choices[0].startswith(t) for t in texts[:3])
    assert all(choice.replace(" ", "") in spoken for choice in choices)
    assert all(prompt.split(".", 1)[1].split("\n")[0].strip().replace(" ", "") in spoken for prompt in prompts)
    # Each sentence was highlighted while it was read, inside its block.
    for item in said:
        assert item["marked"].strip() == item["text"], item
        assert item["text"] in item["block"]
    # Done: nothing stays highlighted.
    assert page.locator(".read-aloud-current").count() == 0
    page.context.close()
