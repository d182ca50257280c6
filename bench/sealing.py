"""What sealing costs, in process, against the database named by
DATABASE_URL (bench/run.py runs it on the large dataset; it also runs on a
`make run` database). Everything it writes is rolled back.

* Report submission, p95 over ``runs`` submissions each: sealed (the service
  as it is) and as before sealing (the same service with the sealing steps
  replaced by what was there before: Fernet fields and an $argon2id$ receipt
  hash), interleaved. Budget: sealed <= 1.5x.
* Opening a case (the counselor's case page with three messages and a note),
  median and p95 milliseconds: a sealed report opened with the counselor's
  keyring, and the same report before sealing. Budget: at most 50 ms more.

Prints one JSON object.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_platform.settings.production")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

BUDGET = {"submit_p95_ratio": 1.5, "case_open_extra_ms": 50}
PASSWORD = "bench-sealing-password-1"  # noqa: S105 - a throwaway person, rolled back


class Rollback(Exception):
    pass


def p95(values) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _unsealed():
    """The service as it was before sealing: no report key, Fernet fields,
    an $argon2id$ receipt hash (what receipts.hash_receipt did)."""
    from incidents import keys, receipts

    return [
        mock.patch.object(keys, "seal_fields", lambda key, values: values),
        mock.patch.object(keys, "report_seal_new", lambda **kwargs: None),
        mock.patch.object(receipts, "new_reporter_key", lambda receipt: (None, receipts._hasher.hash(receipt))),
    ]


def main(runs: int) -> dict:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import User
    from incidents import cases, keyring, keys, services
    from incidents.models import IncidentReport, ReportSeal, SealedReportKey
    from schools.models import District, Membership, Role, School

    result = {}
    try:
        with transaction.atomic():
            district = District.objects.create(name="bench sealing", code="BENCHSEALD")
            school = School.objects.create(name="bench sealing", code="BENCHSEAL", district=district)
            counselor = User.objects.create_user(username="bench-sealing-counselor", password=PASSWORD)
            Membership.objects.create(user=counselor, school=school, role=Role.COUNSELOR)
            TOTP.activate(counselor, generate_totp_secret())
            assert Authenticator.objects.filter(user=counselor).exists()
            keys.person_key_create(user=counselor, password=PASSWORD)
            keys.recovery_key_create(school=school, actor=counselor)
            serial = iter(range(10**6))

            def submit():
                start = time.perf_counter()
                services.report_submit(
                    school=school,
                    category="fake_of_me",
                    platform="telegram",
                    platform_other="",
                    room_link="t.me/bench",
                    account_handle="@bench",
                    when="today",
                    affected="me",
                    staff_involved="no",
                    urgency=1,
                    details=f"bench report {next(serial)} 벤치마크",
                    contact="",
                )
                return (time.perf_counter() - start) * 1000

            sealed, before = [], []
            for _ in range(3):
                submit()
            for _ in range(runs):
                sealed.append(submit())
                patches = _unsealed()
                for patch in patches:
                    patch.start()
                try:
                    before.append(submit())
                finally:
                    for patch in patches:
                        patch.stop()
            result["report_submit"] = {
                "sealed_p95_ms": round(p95(sealed), 1),
                "before_p95_ms": round(p95(before), 1),
                "ratio": round(p95(sealed) / p95(before), 2),
                "budget_ratio": BUDGET["submit_p95_ratio"],
            }

            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(counselor)
            session = client.session
            key = keys.person_key_unlock(user=counselor, password=PASSWORD)
            session[keyring.SESSION_KEY], cookie = keyring.session_entry(counselor, key)
            session.save()
            client.cookies[keyring.COOKIE] = cookie

            def a_case(sealed_report: bool):
                report, _receipt = services.report_submit(
                    school=school,
                    category="threat",
                    platform="kakaotalk",
                    platform_other="",
                    room_link="open.kakao.com/bench",
                    account_handle="@b",
                    when="today",
                    affected="me",
                    staff_involved="no",
                    urgency=0,
                    details=f"case {next(serial)}",
                    contact="010",
                )
                for n in range(3):
                    cases.report_send_message(report=report, body=f"message {n}", actor=counselor)
                cases.report_add_note(report=report, body="note", actor=counselor)
                if not sealed_report:  # the same case as stored before sealing
                    from incidents.models import CaseMessage, CaseNote

                    IncidentReport.objects.filter(pk=report.pk).update(details="", contact="")
                    row = IncidentReport.objects.get(pk=report.pk)
                    row.details, row.contact = f"case {next(serial)}", "010"
                    row.save(update_fields=["details", "contact"])
                    for message in CaseMessage.objects.filter(report=report):
                        message.body = "message"
                        message.save(update_fields=["body"])
                    for note in CaseNote.objects.filter(report=report):
                        note.body = "note"
                        note.save(update_fields=["body"])
                    ReportSeal.objects.filter(report=report).delete()
                    SealedReportKey.objects.filter(report=report).delete()
                return report

            def open_times(report):
                url = f"/counsel/reports/{report.pk}/"
                assert client.get(url).status_code == 200
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200
                return times

            sealed_case, legacy_case = a_case(True), a_case(False)
            assert b"message 2" in client.get(f"/counsel/reports/{sealed_case.pk}/").content
            sealed_open, legacy_open = open_times(sealed_case), open_times(legacy_case)
            result["case_open"] = {
                "sealed_median_ms": round(statistics.median(sealed_open), 1),
                "before_median_ms": round(statistics.median(legacy_open), 1),
                "extra_median_ms": round(statistics.median(sealed_open) - statistics.median(legacy_open), 1),
                "sealed_p95_ms": round(p95(sealed_open), 1),
                "before_p95_ms": round(p95(legacy_open), 1),
                "budget_extra_ms": BUDGET["case_open_extra_ms"],
            }
            raise Rollback
    except Rollback:
        pass
    result["within_budget"] = (
        result["report_submit"]["ratio"] <= BUDGET["submit_p95_ratio"]
        and result["case_open"]["extra_median_ms"] <= BUDGET["case_open_extra_ms"]
    )
    return result


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)))
