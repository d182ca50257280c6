"""Journey 5: an urgent anonymous report reaches the school; the counselor's
email says only that something urgent arrived (no word of the report itself)
and links to the counselor pages; the counselor logs in with a second
factor, opens the case from the inbox and handles it from notification to
close on ONE page: acknowledges it, replies starting from one of the school's
templates, records a referral (the case becomes "referred"), writes a note,
tags it and closes it with a reason. Every action is a POST that comes back
to its own section of the same page with a status message there; axe-core
checks the page in each state. The case summary prints. The reporter then
reads the reply with the receipt. In Korean, on a phone (where the counselor
sets up the authenticator app through allauth's own pages, as on a first
login) and on a desktop (authenticator already set up: the login asks for a
code)."""

import re
from email.header import decode_header, make_header

from django.utils import timezone, translation

from incidents.demo import STARTING_TAGS, STARTING_TEMPLATES
from incidents.models import Agency, Category, ClosingReason, Platform, Status

from ..conftest import totp_code
from .conftest import DEMO_PASSWORD, PHONE, new_page
from .test_journey_reporter import fill_report, read_receipt

SCHOOL = "DEMO01"
COUNSELOR = ("demo-counselor", "counselor@demo.example")
ROOM_LINK = "t.me/example-room"  # what fill_report() enters


# --- second factor ---------------------------------------------------------------------


def _shell(server, script: str) -> str:
    return server.manage("shell", "-c", script).stdout


def remove_totp(server, username: str) -> None:
    """Back to a first login: no authenticator app set up."""
    _shell(
        server,
        "from allauth.mfa.models import Authenticator; "
        f"Authenticator.objects.filter(user__username={username!r}).delete()",
    )


def activate_totp(server, username: str) -> str:
    """Set up an authenticator app for the person (as an earlier login would
    have); returns its secret so the test can make codes."""
    out = _shell(
        server,
        "from allauth.mfa.models import Authenticator; "
        "from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret; "
        "from accounts.models import User; "
        f"u = User.objects.get(username={username!r}); "
        "Authenticator.objects.filter(user=u).delete(); "
        "s = generate_totp_secret(); TOTP.activate(u, s); print('SECRET=' + s)",
    )
    return re.search(r"SECRET=([A-Z2-7]+)", out).group(1)


def submit_login(page, login: str) -> None:
    page.fill("#id_login", login)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()


def pass_totp_step(page, a11y, secret: str) -> None:
    """allauth's second step of the login: the code from the app."""
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    a11y.check(page, "second factor")
    page.fill("#id_code", totp_code(secret))
    # The first submit button signs in; the second (another form) cancels.
    page.locator("main form button[type=submit]").first.click()


def log_in_with_totp(page, a11y, login: str, secret: str, next_path: str) -> None:
    page.goto(f"/accounts/login/?next={next_path}")
    a11y.check(page, "login")
    submit_login(page, login)
    pass_totp_step(page, a11y, secret)


def enrol_totp(page, a11y) -> None:
    """A first login: the counselor pages send the counselor to set up an
    authenticator app (no second password prompt: the login a moment ago
    counts), which shows the secret (a phone app would scan the QR code) and
    takes the app's code; the recovery codes page then goes on to the inbox."""
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    a11y.check(page, "set up authenticator")
    secret = page.input_value("#authenticator_secret")
    page.fill("#id_code", totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    a11y.check(page, "recovery codes")
    assert len(page.input_value("#recovery_codes").split()) == 10
    page.locator("#mfa-continue").click()


# --- the report and the email ----------------------------------------------------------


def submit_report(browser, server, details: str) -> str:
    """An anonymous reporter sends a report through the form; returns the receipt."""
    page = new_page(browser, server, PHONE)
    page.goto(f"/report/{SCHOOL}/new/")
    page.wait_for_timeout(3200)  # longer than the minimum fill time, like a person
    fill_report(page, details)
    page.locator("input[name=urgency][value='0']").check()  # urgent: it is happening now
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/report/receipt/$"))
    receipt = read_receipt(page)
    page.check("input[name=saved]")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/report/next-steps/$"))
    page.context.close()
    return receipt


def newest_report_id(server) -> int:
    out = _shell(
        server,
        "from incidents.models import IncidentReport; "
        f"print('REPORT=%s' % IncidentReport.objects.filter(school__code={SCHOOL!r}).latest('id').pk)",
    )
    return int(re.search(r"REPORT=(\d+)", out).group(1))


def mails_to(server, address: str) -> list:
    return [m for m in server.mails() if address in m["To"]]


def words_of_the_report(details: str) -> list[str]:
    """Everything that would tell a reader of the email what happened."""
    words = [details, ROOM_LINK, "example-room"]
    for language in ("ko", "en"):
        with translation.override(language):
            words += [str(Category.SHARING_ROOM.label), str(Platform.TELEGRAM.label)]
    return words


def label(choice) -> str:
    with translation.override("ko"):
        return str(choice.label)


def ko(text: str) -> str:
    """The Korean the page shows for an interface text."""
    with translation.override("ko"):
        return translation.gettext(text)


# --- the case page ---------------------------------------------------------------------


def assert_status(page, status) -> None:
    badge = page.locator(".facts .status-badge")
    assert badge.get_attribute("class").split() == ["status-badge", f"status-{status.value}"]
    assert badge.inner_text().strip() == label(status)


def open_section(page, section: str) -> None:
    """Open one of the panel's disclosure sections (if it is not open already)."""
    details = page.locator(f"#{section}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def submit_in(page, section: str, case_url: str, button=None) -> None:
    """Send the section's form: the same case page comes back, at that section."""
    form_button = button or page.locator(f"#{section} form button[type=submit]").last
    with page.expect_navigation():
        form_button.click()
    assert page.url == f"{case_url}#{section}", page.url
    assert page.locator(f"#{section}").get_attribute("open") is not None


def assert_done(page, section: str, text: str) -> None:
    """The action's status message is shown inside its section (where the
    page opens), once, and nowhere else."""
    assert page.locator(f"#{section} [role=status]").all_inner_texts() == [text]
    assert page.locator(".messages").count() == 0


def test_counselor_journey(browser, server, viewport, a11y):
    width = viewport["width"]
    details = f"상담 여정 {width}: 반 단톡방에 친구 합성 사진이 올라왔어요"
    reply_end = f"내일 아침 상담실에서 기다릴게요. ({width})"
    referral_note = f"사이버수사대 접수 ({width})"
    note = f"보호자 연락은 학생 동의 후에 ({width})"
    first_title, first_body = STARTING_TEMPLATES[0]

    # The counselor's authenticator: none yet on the phone (first login),
    # already set up on the desktop.
    username, login = COUNSELOR
    first_login = viewport == PHONE
    if first_login:
        remove_totp(server, username)
    else:
        secret = activate_totp(server, username)

    mails_before = len(mails_to(server, login))
    receipt = submit_report(browser, server, details)
    report_id = newest_report_id(server)

    # The notification: that an urgent report arrived, where to log in, nothing more.
    new_mails = mails_to(server, login)[mails_before:]
    assert len(new_mails) == 1
    mail = new_mails[0]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject.startswith(ko("Urgent:")), subject
    text = subject + "\n" + server.mail_body(mail)
    for word in words_of_the_report(details):
        assert word not in text, f"the email gives away {word!r}"
    links = re.findall(r"https?://\S+", text)
    assert links == [f"{server.url}/counsel/"]

    # The counselor follows the link, logs in and passes the second factor.
    page = new_page(browser, server, viewport)
    page.goto(links[0])
    page.wait_for_url(re.compile(r"/accounts/login/"))
    a11y.check(page, "login")
    submit_login(page, login)
    if first_login:
        enrol_totp(page, a11y)
    else:
        pass_totp_step(page, a11y, secret)
    page.wait_for_url(re.compile(r"/counsel/$"))
    a11y.check(page, "inbox")
    row = page.locator("table.inbox tr", has=page.locator(f"a[href='/counsel/reports/{report_id}/']"))
    assert row.locator(".status-badge").inner_text().strip() == label(Status.NEW)
    assert row.locator(".urgency-0").count() == 1
    assert details not in page.content()  # the inbox lists no report text

    row.locator(f"a[href='/counsel/reports/{report_id}/']").click()
    page.wait_for_url(re.compile(rf"/counsel/reports/{report_id}/$"))
    case_url = page.url
    a11y.check(page, "case")
    assert details in page.locator(".report-text").inner_text()
    assert ROOM_LINK in page.locator(".facts").inner_text()
    assert_status(page, Status.NEW)
    # Thread and report first, the actions after them, every action on this page.
    sections = page.locator("#actions details").evaluate_all("all => all.map(d => d.id)")
    assert sections == ["act-reply", "act-status", "act-assign", "act-referral", "act-note", "act-tags", "act-close"]

    # 1. Acknowledge: one button.
    submit_in(page, "act-status", case_url, page.locator("button[name=acknowledge]"))
    a11y.check(page, "case acknowledged")
    assert_status(page, Status.ACKNOWLEDGED)
    assert_done(page, "act-status", ko("The report is acknowledged."))

    # 2. Reply, starting from the school's template (the page's script puts it in).
    open_section(page, "act-reply")
    assert page.locator("#act-reply [data-insert-button]").is_hidden()
    page.select_option("#act-reply select[name=template]", label=first_title)
    body = page.locator("#act-reply textarea[name=body]")
    assert body.input_value() == first_body
    body.fill(body.input_value() + "\n" + reply_end)
    a11y.check(page, "case, writing a reply")
    submit_in(page, "act-reply", case_url)
    a11y.check(page, "case with reply")
    bubbles = page.locator("#messages .bubble-staff .bubble-body").all_inner_texts()
    assert len(bubbles) == 1 and bubbles[0].startswith(first_body.splitlines()[0]) and reply_end in bubbles[0]
    assert_done(page, "act-reply", ko("Your message was sent. The reporter reads it with their code."))

    # 3. A referral to the police: the case becomes "referred".
    open_section(page, "act-referral")
    page.locator("input[name=agency][value=police]").check()
    assert page.input_value("input[name=referred_on]") == timezone.localdate().isoformat()
    page.fill("textarea[name=referral_note]", referral_note)
    submit_in(page, "act-referral", case_url)
    a11y.check(page, "case with referral")
    referrals = page.locator("#referrals li").all_inner_texts()
    assert len(referrals) == 1
    assert label(Agency.POLICE) in referrals[0] and referral_note in referrals[0]
    assert_status(page, Status.REFERRED)
    assert_done(page, "act-referral", ko("The referral was recorded and the case is now marked referred."))

    # 4. An internal note, 5. a tag.
    open_section(page, "act-note")
    page.fill("#act-note textarea[name=note]", note)
    submit_in(page, "act-note", case_url)
    assert note in page.locator("#notes").inner_text()
    assert_done(page, "act-note", ko("The note was saved."))
    open_section(page, "act-tags")
    page.locator("#act-tags label", has_text=STARTING_TAGS[0]).locator("input").check()
    submit_in(page, "act-tags", case_url)
    assert STARTING_TAGS[0] in page.locator(".case-summary").inner_text()
    assert_done(page, "act-tags", ko("The tags were saved."))

    # 6. Close: without a reason the page says what is missing; then with one.
    open_section(page, "act-close")
    with page.expect_navigation():
        page.locator("#act-close form button[type=submit]").click()
    a11y.check(page, "case, closing without a reason")
    assert ko("Please choose why the case is closed.") in page.locator("#act-close").inner_text()
    assert_status(page, Status.REFERRED)
    page.locator(f"input[name=closing_reason][value={ClosingReason.REFERRED.value}]").check()
    submit_in(page, "act-close", case_url)
    a11y.check(page, "case closed")
    assert_status(page, Status.CLOSED)
    assert_done(page, "act-close", ko("The case is closed."))
    assert label(ClosingReason.REFERRED) in page.locator(".case-summary").inner_text()
    # A closed case can only be reopened.
    open_section(page, "act-status")
    assert page.locator("input[name=status]").evaluate_all("boxes => boxes.map(b => b.value)") == ["reopened"]
    # The summary to print for a referral or the school's file.
    summary = page.goto(f"/counsel/reports/{report_id}/print/")
    assert summary.status == 200
    a11y.check(page, "case summary")
    assert details in page.content()
    page.goto("/counsel/?status=all")
    a11y.check(page, "inbox, all cases")
    assert row.locator(".status-badge").inner_text().strip() == label(Status.CLOSED)
    page.goto("/counsel/?status=all&tag=&received_from=2026-02-31")
    a11y.check(page, "inbox, a wrong date")
    assert page.locator("#error-summary").count() == 1
    page.context.close()

    # The reporter comes back with the receipt and reads the counselor's reply.
    reporter = new_page(browser, server, PHONE)
    reporter.goto("/report/follow-up/")
    reporter.fill("input[name=receipt]", receipt)
    reporter.locator("form button[type=submit]").last.click()
    reporter.wait_for_url(re.compile(r"/report/follow-up/case/$"))
    staff_bubbles = reporter.locator(".bubble-staff .bubble-body").all_inner_texts()
    assert len(staff_bubbles) == 1 and reply_end in staff_bubbles[0]
    assert reporter.locator(".status-badge").inner_text().strip() == label(Status.CLOSED)
    assert referral_note not in reporter.content()  # referral notes stay with the counselors
    assert note not in reporter.content()
    assert reporter.locator(".tag").count() == 0  # tags too (the reporter's own words may hold the same word)
    assert label(ClosingReason.REFERRED) not in reporter.content()
    reporter.context.close()
