"""Journey 5: an anonymous report reaches the school; the counselor's email
says only that something arrived (no word of the report itself) and links to
the counselor pages; the counselor logs in with a second factor, opens the
case from the inbox, acknowledges it, writes to the reporter, records a
referral and closes it, and each step shows on the case page; the case
summary prints. The reporter
then reads the reply with the receipt. In Korean, on a phone (where the
counselor sets up the authenticator app through allauth's own pages, as on a
first login) and on a desktop (authenticator already set up: the login asks
for a code)."""

import re

from django.utils import timezone, translation

from incidents.models import Agency, Category, Platform, Status

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


def change_status(page, to_status: str) -> None:
    page.locator(f"input[name=status][value={to_status}]").check()
    with page.expect_navigation():  # back to the same case URL
        page.locator("form[action$='/status/'] button[type=submit]").click()


def assert_status(page, status) -> None:
    badge = page.locator(".facts .status-badge")
    assert badge.get_attribute("class").split() == ["status-badge", f"status-{status.value}"]
    assert badge.inner_text().strip() == label(status)


def assert_flash(page, text: str) -> None:
    """The success message of the last action is shown (once, in the page's
    message area)."""
    assert page.locator(".messages .message-success").all_inner_texts() == [text]


def test_counselor_journey(browser, server, viewport, a11y):
    width = viewport["width"]
    details = f"상담 여정 {width}: 반 단톡방에 친구 합성 사진이 올라왔어요"
    reply = f"알려 줘서 고마워요. 내일 아침 상담실에서 기다릴게요. ({width})"
    referral_note = f"사이버수사대 접수 ({width})"

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

    # The notification: that a report arrived, where to log in, nothing more.
    new_mails = mails_to(server, login)[mails_before:]
    assert len(new_mails) == 1
    mail = new_mails[0]
    text = mail["Subject"] + "\n" + server.mail_body(mail)
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
    assert details not in page.content()  # the inbox lists no report text

    row.locator(f"a[href='/counsel/reports/{report_id}/']").click()
    page.wait_for_url(re.compile(rf"/counsel/reports/{report_id}/$"))
    a11y.check(page, "case")
    assert details in page.locator(".report-text").inner_text()
    assert ROOM_LINK in page.locator(".facts").inner_text()
    assert_status(page, Status.NEW)

    change_status(page, Status.ACKNOWLEDGED.value)
    a11y.check(page, "case acknowledged")
    assert_status(page, Status.ACKNOWLEDGED)
    assert_flash(page, ko("The status was changed."))

    page.fill("#messages textarea[name=body]", reply)
    page.locator("#messages form button[type=submit]").click()
    page.wait_for_url(re.compile(r"#messages$"))
    a11y.check(page, "case with reply")
    bubbles = page.locator("#messages .bubble-staff .bubble-body").all_inner_texts()
    assert bubbles == [reply]
    assert_flash(page, ko("Your message was sent. The reporter reads it with their code."))

    page.locator("input[name=agency][value=police]").check()
    assert page.input_value("input[name=referred_on]") == timezone.localdate().isoformat()
    page.fill("textarea[name=referral_note]", referral_note)
    page.locator("#referrals form button[type=submit]").click()
    page.wait_for_url(re.compile(r"#referrals$"))
    a11y.check(page, "case with referral")
    referrals = page.locator("#referrals li").all_inner_texts()
    assert len(referrals) == 1
    assert label(Agency.POLICE) in referrals[0] and referral_note in referrals[0]
    assert timezone.localdate().isoformat() in referrals[0]
    assert_flash(page, ko("The referral was recorded."))

    change_status(page, Status.CLOSED.value)
    a11y.check(page, "case closed")
    assert_status(page, Status.CLOSED)
    assert_flash(page, ko("The status was changed."))
    # A closed case can only be reopened.
    assert page.locator("input[name=status]").evaluate_all("boxes => boxes.map(b => b.value)") == ["reopened"]
    # The summary to print for a referral or the school's file.
    summary = page.goto(f"/counsel/reports/{report_id}/print/")
    assert summary.status == 200
    a11y.check(page, "case summary")
    assert details in page.content()
    page.goto("/counsel/?status=all")
    a11y.check(page, "inbox, all cases")
    assert row.locator(".status-badge").inner_text().strip() == label(Status.CLOSED)
    page.context.close()

    # The reporter comes back with the receipt and reads the counselor's reply.
    reporter = new_page(browser, server, PHONE)
    reporter.goto("/report/follow-up/")
    reporter.fill("input[name=receipt]", receipt)
    reporter.locator("form button[type=submit]").last.click()
    reporter.wait_for_url(re.compile(r"/report/follow-up/case/$"))
    assert reporter.locator(".bubble-staff .bubble-body").all_inner_texts() == [reply]
    assert reporter.locator(".status-badge").inner_text().strip() == label(Status.CLOSED)
    assert referral_note not in reporter.content()  # referral notes stay with the counselors
    reporter.context.close()
