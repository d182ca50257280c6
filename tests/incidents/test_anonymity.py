"""Anonymity: no address, user agent or tracking cookie is stored or logged
for the report pages, including error logs."""

import logging
import re
import time
from email.utils import parsedate_to_datetime

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, models

from incidents import services
from incidents.models import IncidentReport

from .conftest import receipt_from, report_form

ADDRESS = "203.0.113.77"
AGENT = "NeedleAgent/9.9"
NEEDLES = (ADDRESS, AGENT, "NeedleAgent")
IDENTIFYING = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT, "HTTP_X_FORWARDED_FOR": ADDRESS}


@pytest.fixture
def logs(caplog):
    """caplog, also fed by the loggers that do not propagate to the root
    (django.request, django.security.*), at every level."""
    names = ["django.request", "django.security", "django.security.csrf", "django.server"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(caplog.handler)
        logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)


def _text_columns():
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        for field in model._meta.local_concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField | models.GenericIPAddressField):
                yield table, field.column


def database_rows_containing(needle: str) -> list[tuple[str, str]]:
    found = []
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            if table not in existing:
                continue
            qn = connection.ops.quote_name
            cursor.execute(
                f"SELECT COUNT(*) FROM {qn(table)} WHERE CAST({qn(column)} AS TEXT) LIKE %s",  # noqa: S608
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                found.append((table, column))
    return found


def cache_contents() -> str:
    """Everything in the cache, keys and values, as text."""
    backend = cache._cache if hasattr(cache, "_cache") else None
    if isinstance(backend, dict):  # LocMemCache
        import pickle

        return repr({key: pickle.loads(value) for key, value in backend.items()})  # noqa: S301
    client = cache._cache.get_client()  # RedisCache
    return repr({key: client.get(key) for key in client.keys("*")})


def _walk_everything(client, school, capture):
    """Every reporter page, with the recognisable address and agent."""
    client.get("/report/", {"q": "우리"}, **IDENTIFYING)
    client.get(f"/report/{school.code}/", **IDENTIFYING)
    client.get(f"/report/{school.code}/new/", **IDENTIFYING)
    with capture(execute=True):
        client.post(f"/report/{school.code}/new/", report_form(school), **IDENTIFYING)
    receipt = receipt_from(client)
    client.post("/report/follow-up/", {"receipt": "0000000000000000"}, **IDENTIFYING)
    client.post("/report/follow-up/", {"receipt": receipt}, **IDENTIFYING)
    html = client.get("/report/follow-up/case/", **IDENTIFYING).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    with capture(execute=True):
        client.post("/report/follow-up/reply/", {"form_token": token, "body": "more"}, **IDENTIFYING)
    client.post("/report/follow-up/leave/", {"form_token": token}, **IDENTIFYING)
    client.get("/report/NOPE00/", **IDENTIFYING)
    client.post("/report/HOME01/new/", report_form(school, category="forged"), **IDENTIFYING)


def test_no_table_and_no_log_holds_the_address_or_user_agent(client, cast, logs, django_capture_on_commit_callbacks):
    caplog = logs
    _walk_everything(client, cast.school, django_capture_on_commit_callbacks)
    assert IncidentReport.objects.count() == 1
    assert any(record.name == "django.request" for record in caplog.records)  # the 404 and the 400
    for needle in NEEDLES:
        assert database_rows_containing(needle) == [], needle
        assert needle not in caplog.text
        for record in caplog.records:
            assert needle not in repr(record.__dict__)
            request = getattr(record, "request", None)
            if request is not None:
                assert needle not in repr(getattr(request, "META", {}))
        assert needle not in cache_contents()


def test_the_cache_holds_only_salted_hashes(client, cast):
    for _ in range(3):
        client.post("/report/follow-up/", {"receipt": "1234 5678 1234 5678"}, **IDENTIFYING)
    contents = cache_contents()
    assert "incidents:rl:" in contents
    assert ADDRESS not in contents
    assert "1234567812345678" not in contents


def test_an_error_on_a_report_page_logs_neither_address_nor_agent(
    client, cast, logs, monkeypatch, settings, mailoutbox
):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "report_submit", explode)
    client.raise_request_exception = False
    caplog = logs
    response = client.post("/report/HOME01/new/", report_form(cast.school), **IDENTIFYING)
    assert response.status_code == 500
    errors = [record for record in caplog.records if record.name == "django.request"]
    assert errors and "boom" in repr(errors[0].exc_info)
    # The request is taken off the record, so no handler (e.g. the error
    # email, which prints headers) can include it.
    assert not hasattr(errors[0], "request")
    settings.ADMINS = [("Operator", "ops@example.org")]
    from django.utils.log import AdminEmailHandler

    AdminEmailHandler(include_html=True).emit(errors[0])
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    everything = email.subject + email.body + "".join(str(alt[0]) for alt in email.alternatives)
    for needle in NEEDLES:
        assert needle not in everything
    for record in caplog.records:
        for needle in NEEDLES:
            assert needle not in repr(record.__dict__)
        request = getattr(record, "request", None)
        assert request is None or ADDRESS not in repr(request.META)


def test_report_pages_set_no_cookie_until_one_is_needed(client, cast):
    for url in ("/report/", "/report/HOME01/", "/report/HOME01/new/", "/report/follow-up/", "/report/next-steps/"):
        response = client.get(url)
        assert dict(response.cookies) == {}, url
    response = client.post("/report/HOME01/new/", report_form(cast.school))
    assert set(response.cookies) == {"st_report_receipt"}
    cookie = response.cookies["st_report_receipt"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert parsedate_to_datetime(cookie["expires"]).timestamp() <= time.time() + 15 * 60
    assert "sessionid" not in client.cookies
    assert "csrftoken" not in client.cookies


def test_a_signed_in_student_s_report_is_not_tied_to_the_account(client, cast):
    from django.contrib.sessions.models import Session

    client.force_login(cast.student)
    client.post("/report/HOME01/new/", report_form(cast.school))
    report = IncidentReport.objects.get()
    for session in Session.objects.all():
        data = session.get_decoded()
        assert str(report.pk) not in repr({k: v for k, v in data.items() if not k.startswith("_auth")})
        assert not any("report" in key or "receipt" in key for key in data)
    # The report itself has no link to any user.
    assert report.assigned_to is None
    user_fields = [
        f.name
        for f in IncidentReport._meta.concrete_fields
        if f.is_relation and f.related_model._meta.label == "accounts.User"
    ]
    assert user_fields == ["assigned_to"]


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED"])
def test_forwarded_addresses_are_not_kept_either(client, cast, header):
    client.post("/report/HOME01/new/", report_form(cast.school), **{header: ADDRESS})
    assert database_rows_containing(ADDRESS) == []
