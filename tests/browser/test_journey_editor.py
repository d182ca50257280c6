"""Journey 6: a content editor changes a sentence of a Korean lesson in the
Wagtail admin and submits it to the safeguarding review; the public page
keeps the old text until a reviewer approves, then shows the new one, and
nothing else of the lesson changes. The English translation follows through
wagtail-localize as editors work with it: the editor syncs the English page
from the Korean one and translates the changed sentence (editors cannot
publish), the reviewer publishes it, and the public English page shows the
new sentence with the rest of its text unchanged. Between the Korean
approval and the English publication, English readers see a dated note that
the Korean lesson changed, and editors see the translation marked "needs
update" on the CMS dashboard. In Korean, on a desktop.

A second journey: an editor changes a help-line number (a help resource
snippet) and submits it to the same review; the lesson's help box keeps the
published number until the reviewer approves, then shows the new one.

axe-core checks our own pages of the journey: the login, the second-factor
step and the public lesson pages. Wagtail's admin pages are not checked: the
violations axe finds there come from Wagtail and wagtail-localize themselves
(Draftail's unlabelled editing areas, the minimap, the translation editor's
contrast), not from this project's templates.
"""

import re

from .conftest import DESKTOP, new_page
from .test_journey_counselor import activate_totp, log_in_with_totp

MODULE = "parent-guide"
LESSON = "protecting-family-photos"
EDITOR = ("demo-editor", "editor@demo.example")
REVIEWER = ("demo-reviewer", "reviewer@demo.example")

# One paragraph of the lesson's first text block (curriculum/content/modules/parent-guide.yaml).
OLD_KO = "가족 계정을 이렇게 점검해 보세요."
ADDED_KO = " 한 달에 한 번 살펴보면 충분합니다."
NEW_KO = OLD_KO + ADDED_KO
OLD_EN = "Check your family's accounts like this."
NEW_EN = OLD_EN + " Looking once a month is enough."


def lesson_pages(server) -> dict:
    """The admin ids and public paths of the Korean lesson and its English translation."""
    out = server.manage(
        "shell",
        "-c",
        "from curriculum.models import LessonPage; "
        f"[print('PAGE', p.locale.language_code, p.pk, p.url, p.title) for p in LessonPage.objects.filter(slug={LESSON!r})]",
    ).stdout
    pages = {}
    for language, pk, url, title in re.findall(r"PAGE (\w+) (\d+) (\S+) (.+)", out):
        pages[language] = {"id": int(pk), "url": url, "title": title.strip()}
    assert set(pages) == {"ko", "en"}, out
    assert pages["ko"]["url"] == f"/for-parents/{MODULE}/{LESSON}/"
    return pages


def public_lesson_text(browser, server, a11y, path: str, label: str) -> str:
    """The lesson body a visitor reads. Anonymous pages are served from a
    cache; a query string bypasses it, so both answers must agree (a stale
    cache would show the old text to visitors after publishing)."""
    page = new_page(browser, server, DESKTOP, "en" if path.startswith("/en/") else "ko")
    assert page.goto(path).status == 200, path
    a11y.check(page, label)
    text = page.locator("#lesson-body").inner_text()
    assert page.goto(path + "?fresh=1").status == 200, path
    assert page.locator("#lesson-body").inner_text() == text, "the cached page differs from a fresh one"
    page.context.close()
    return text


BEHIND_NOTE = re.compile(
    r"The Korean version of this lesson was updated on \d{4}-\d{2}-\d{2}; this translation may be behind\."
)


def english_note(browser, server, a11y, path: str, label: str) -> str:
    """The note on an English lesson whose Korean lesson changed ("" if none)."""
    page = new_page(browser, server, DESKTOP, "en")
    assert page.goto(path).status == 200, path
    a11y.check(page, label)
    note = page.locator(".translation-behind")
    text = note.inner_text() if note.count() else ""
    page.context.close()
    return text


def public_help_box(browser, server, a11y, path: str, label: str) -> str:
    """The help box under a Korean lesson, cached and fresh alike."""
    page = new_page(browser, server, DESKTOP, "ko")
    assert page.goto(path).status == 200, path
    a11y.check(page, label)
    text = page.locator(".help-box").inner_text()
    assert page.goto(path + "?fresh=1").status == 200, path
    assert page.locator(".help-box").inner_text() == text, "the cached page differs from a fresh one"
    page.context.close()
    return text


def cms_log_in(browser, server, a11y, person) -> object:
    username, login = person
    secret = activate_totp(server, username)
    page = new_page(browser, server, DESKTOP)
    log_in_with_totp(page, a11y, login, secret, "/cms/")
    page.wait_for_url(re.compile(r"/cms/$"))
    return page


def type_into_rich_text(page, paragraph: str, addition: str) -> None:
    """Click at the end of a paragraph in the Draftail editor and type. Draftail
    copies its state into the form's hidden input a moment later; wait for it,
    as a person would not submit within a quarter of a second."""
    block = page.locator(".DraftEditor-root [data-block=true]", has_text=paragraph)
    assert block.count() == 1
    block.click()
    page.keyboard.press("End")
    page.keyboard.type(addition)
    assert block.inner_text() == paragraph + addition
    page.wait_for_function(
        "(text) => [...document.querySelectorAll('input[type=hidden][name^=body-]')].some(i => i.value.includes(text))",
        arg=addition.strip(),
    )


def success_message(page) -> str:
    """The one success message the admin shows after an action."""
    messages = page.locator(".messages li.success").all_inner_texts()
    assert len(messages) == 1, messages
    return messages[0]


def footer_menu_action(page, selector: str):
    """A button in the dropdown of the editor's footer action menu."""
    page.locator("footer .w-dropdown__toggle").click()
    return page.locator(f"footer {selector}")


def test_editor_journey(browser, server, a11y):
    pages = lesson_pages(server)
    ko_path, en_path = pages["ko"]["url"], pages["en"]["url"]
    ko_before = public_lesson_text(browser, server, a11y, ko_path, "Korean lesson before")
    en_before = public_lesson_text(browser, server, a11y, en_path, "English lesson before")
    assert ko_before.count(OLD_KO) == 1 and NEW_KO not in ko_before
    assert en_before.count(OLD_EN) == 1 and NEW_EN not in en_before

    # The editor changes the Korean lesson and submits it for review.
    editor = cms_log_in(browser, server, a11y, EDITOR)
    editor.goto(f"/cms/pages/{pages['ko']['id']}/edit/")
    editor.wait_for_selector(".DraftEditor-root")
    type_into_rich_text(editor, OLD_KO, ADDED_KO)
    assert editor.locator("footer button[name=action-publish]").count() == 0  # editors cannot publish
    submit = footer_menu_action(editor, "button[name=action-submit]")
    assert "Safeguarding review" in submit.inner_text()
    submit.click()
    editor.wait_for_url(re.compile(r"/cms/pages/\d+/$"))
    assert pages["ko"]["title"] in success_message(editor)

    # Visitors still read the published text.
    assert public_lesson_text(browser, server, a11y, ko_path, "Korean lesson in review") == ko_before

    # The reviewer finds the lesson among the pages awaiting review, reads the
    # change and approves it, which publishes it.
    reviewer = cms_log_in(browser, server, a11y, REVIEWER)
    awaiting = reviewer.locator("#awaiting-review-section")
    awaiting.locator(f"a[href='/cms/pages/{pages['ko']['id']}/edit/']").first.click()
    reviewer.wait_for_selector(".DraftEditor-root")
    assert reviewer.locator(".DraftEditor-root [data-block=true]", has_text=NEW_KO).count() == 1
    approve = footer_menu_action(
        reviewer, "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    )
    approve.click()
    reviewer.wait_for_url(re.compile(r"/cms/pages/\d+/$"))
    assert pages["ko"]["title"] in success_message(reviewer)

    ko_after = public_lesson_text(browser, server, a11y, ko_path, "Korean lesson after")
    assert ko_after == ko_before.replace(OLD_KO, NEW_KO)

    # English readers are told, with the date, that the Korean lesson changed;
    # editors find the translation marked "needs update" on the dashboard.
    assert BEHIND_NOTE.fullmatch(english_note(browser, server, a11y, en_path, "English lesson behind"))
    editor.goto("/cms/")
    behind = editor.locator("#translations-behind-section")
    assert "업데이트 필요" in behind.inner_text()
    assert behind.locator(f"a[href='/cms/pages/{pages['en']['id']}/edit/']").count() == 1

    # The editor syncs the English page from the Korean source...
    editor.goto(f"/cms/pages/{pages['ko']['id']}/edit/")
    editor.locator("header .w-dropdown__toggle").first.click()
    editor.locator("a[href*='/cms/localize/update/']").click()
    editor.wait_for_url(re.compile(r"/cms/localize/update/\d+/"))
    assert not editor.is_checked("input[name=publish_translations]")
    editor.locator("main form input[type=submit]").click()
    editor.wait_for_url(re.compile(rf"/cms/pages/{pages['ko']['id']}/edit/$"))
    assert pages["ko"]["title"] in success_message(editor)
    # ...which changes nothing public before the new sentence is translated.
    assert public_lesson_text(browser, server, a11y, en_path, "English lesson synced") == en_before

    # ...and translates the one sentence the sync brought in.
    editor.goto(f"/cms/pages/{pages['en']['id']}/edit/")
    # The translation editor is a React app: each segment is a list item,
    # "incomplete" until translated, with the Korean source first.
    waiting = editor.locator("li.incomplete")
    waiting.first.wait_for()
    assert waiting.count() == 1
    assert waiting.locator("p").first.inner_text() == NEW_KO
    waiting.get_by_role("button").click()  # its one button: "Translate"
    waiting.locator("textarea").fill(NEW_EN)
    waiting.get_by_role("button").last.click()  # "Cancel", "Save"
    translated = editor.locator("li.complete", has_text=NEW_KO)
    translated.locator(".icon--green").wait_for()  # the check mark once the server has saved it
    assert NEW_EN in translated.inner_text()
    assert editor.locator("li.incomplete").count() == 0
    assert editor.locator("footer button[name=action][value=publish]").count() == 0  # editors cannot publish
    editor.context.close()

    # The reviewer reads the translation and publishes the English page.
    reviewer.goto(f"/cms/pages/{pages['en']['id']}/edit/")
    segment = reviewer.locator("li.complete", has_text=NEW_KO)
    segment.wait_for()
    assert NEW_EN in segment.inner_text()
    with reviewer.expect_navigation():  # back to the same edit URL
        reviewer.locator("footer button[name=action][value=publish]").click()
    assert reviewer.url.endswith(f"/cms/pages/{pages['en']['id']}/edit/")
    assert pages["en"]["title"] in success_message(reviewer)
    reviewer.context.close()

    en_after = public_lesson_text(browser, server, a11y, en_path, "English lesson after")
    assert en_after == en_before.replace(OLD_EN, NEW_EN)
    assert ADDED_KO.strip() not in en_after
    assert english_note(browser, server, a11y, en_path, "English lesson caught up") == ""


HELP_LINE = "kr-117"
OLD_NUMBER, NEW_NUMBER = "117", "02-000-0117"


def help_line_id(server) -> int:
    out = server.manage(
        "shell",
        "-c",
        "from curriculum.models import HelpResource; "
        f"print('SNIPPET', HelpResource.objects.get(key={HELP_LINE!r}, locale__language_code='ko').pk)",
    ).stdout
    return int(re.search(r"SNIPPET (\d+)", out).group(1))


def test_a_help_line_change_waits_for_the_review(browser, server, a11y):
    ko_path = lesson_pages(server)["ko"]["url"]
    resource_id = help_line_id(server)
    edit_url = f"/cms/snippets/curriculum/helpresource/edit/{resource_id}/"
    before = public_help_box(browser, server, a11y, ko_path, "Help box before")
    assert OLD_NUMBER in before and NEW_NUMBER not in before

    # The editor changes the number and submits it for review.
    editor = cms_log_in(browser, server, a11y, EDITOR)
    editor.goto(edit_url)
    editor.fill("#id_phone", NEW_NUMBER)
    assert editor.locator("footer button[name=action-publish]").count() == 0  # editors cannot publish
    submit = footer_menu_action(editor, "button[name=action-submit]")
    assert "Safeguarding review" in submit.inner_text()
    with editor.expect_navigation():
        submit.click()
    success_message(editor)
    editor.context.close()

    # Pupils still see the published number.
    assert public_help_box(browser, server, a11y, ko_path, "Help box in review") == before

    # The reviewer reads the change and approves it, which publishes it.
    reviewer = cms_log_in(browser, server, a11y, REVIEWER)
    reviewer.goto(edit_url)
    assert reviewer.input_value("#id_phone") == NEW_NUMBER
    approve = footer_menu_action(
        reviewer, "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    )
    with reviewer.expect_navigation():
        approve.click()
    success_message(reviewer)
    reviewer.context.close()

    after = public_help_box(browser, server, a11y, ko_path, "Help box after")
    assert NEW_NUMBER in after
    assert after.replace(NEW_NUMBER, OLD_NUMBER) == before
