"""The access log of gunicorn (make stack, production) cannot be forged with
%0D%0A in a URL (issue 16): control characters in logged atoms are escaped."""

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from edu_platform.gunicorn_logger import SafeAccessLogger, escape_controls

FORMAT = "%(m)s %(U)s %(s)s %(M)sms"  # bin/stack's
FORGED_PATH = "/report/\r\n2026-01-01 GET /counsel/ 200 1ms\x1b[2J"


def _log_line(logger_class, path: str) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", FORMAT)
    logger = logger_class(cfg)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
    }
    resp = SimpleNamespace(status="404 Not Found", headers=[], sent=10, response_length=10)
    req = SimpleNamespace(headers=[("HOST", "x")])
    logger.access(resp, req, environ, timedelta(milliseconds=3))
    return stream.getvalue()


def test_plain_gunicorn_writes_a_forged_line():
    assert _log_line(Logger, FORGED_PATH).count("\n") == 2  # the attack, as found


def test_control_characters_in_the_request_are_escaped():
    out = _log_line(SafeAccessLogger, FORGED_PATH)
    assert out.count("\n") == 1
    assert out == "GET /report/\\x0d\\x0a2026-01-01 GET /counsel/ 200 1ms\\x1b[2J 404 3ms\n"


def test_escaping_is_unambiguous_and_leaves_korean_alone():
    assert escape_controls("/report/학교\\r") == "/report/학교\\\\r"
    assert escape_controls("a\u2028b\x85c\x7f") == "a\\u2028b\\x85c\\x7f"
    assert escape_controls(404) == 404


def test_a_card_sign_in_token_never_reaches_the_access_log():
    out = _log_line(SafeAccessLogger, "/card/Secret-Card-Token_123/")
    assert out == "GET /card/…/ 404 3ms\n"
    assert "Secret" not in _log_line(SafeAccessLogger, "/en/card/Secret-Card-Token_123/")
