"""Reading sealed report content in tests, as a counselor's session would:
with the reader's key unwrapped from their password (the factories' one)."""

from incidents import keyring, keys
from tests.factories import PASSWORD


def reader_keyring(user, password: str = PASSWORD) -> keyring.Keyring:
    return keyring.Keyring(user_id=user.pk, private=keys.person_key_unlock(user=user, password=password))


def report_key(report, reader, password: str = PASSWORD):
    key = keys.report_key_for_holder(report, reader_keyring(reader, password))
    assert key is not None, f"{reader} holds no key to report {report.pk}"
    return key


def opened(report, reader, password: str = PASSWORD):
    """The report with its texts opened (details, contact, ...)."""
    from incidents.models import IncidentReport

    row = IncidentReport.objects.get(pk=report.pk)
    return keys.open_row(row, keys.REPORT_TEXT_FIELDS, report_key(report, reader, password))


def opened_rows(report, rows, fields, reader, password: str = PASSWORD):
    return keys.open_rows(rows, fields, report_key(report, reader, password))


def text(report, value, reader, password: str = PASSWORD) -> str:
    """One stored value (a message body, a note) opened."""
    return keys.open_value(report_key(report, reader, password), value)


def report_reader(report):
    """A reader who holds a key to this report (the first one)."""
    from incidents.models import SealedReportKey

    copy = SealedReportKey.objects.filter(report_id=report.pk, holder__isnull=False).select_related("holder").first()
    assert copy is not None, f"nobody holds a key to report {report.pk}"
    return copy.holder
