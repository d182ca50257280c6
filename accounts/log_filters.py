"""Keep card sign-in tokens out of every log: a token in a request path is
cut out of log records (Django's request and server logs, and the access log
through edu_platform.gunicorn_logger), and the request itself is taken off
the record, so no handler can print its address."""

import logging

from .card_signin import redact

LOGGERS = ("django.request", "django.server", "django.security.csrf", "django.security.SuspiciousOperation")


def _clean(value):
    return redact(value) if isinstance(value, str) and "/card/" in value else value


class ForgetCardTokens(logging.Filter):
    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        record.msg = _clean(record.msg)
        request = getattr(record, "request", None)
        if request is not None and "/card/" in (getattr(request, "path", "") or ""):
            del record.request
        return True


def install() -> None:
    card_filter = ForgetCardTokens()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, ForgetCardTokens) for existing in logger.filters):
            logger.addFilter(card_filter)
