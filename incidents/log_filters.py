"""Keep the report pages out of Django's request logs.

Django attaches the request to the log records of ``django.request`` and
``django.security.*`` (errors, CSRF failures, suspicious operations), and
its error email handler prints the request's headers, client address and
user agent among them. For the report pages the request is taken off the
record, so no handler can print it. (The report views also remove the address
and user agent from the request itself before they run.)
"""

import logging

REPORT_PATH_PREFIXES = ("/report/",)
LOGGERS = (
    "django.request",
    "django.security.csrf",
    "django.security.DisallowedHost",
    "django.security.DisallowedRedirect",
    "django.security.SuspiciousOperation",
    "django.security.SuspiciousSession",
    "django.security.SuspiciousFileOperation",
    "django.security.SuspiciousMultipartForm",
    "django.security.RequestDataTooBig",
    "django.security.TooManyFieldsSent",
    "django.security.TooManyFilesSent",
)


def is_report_path(path: str) -> bool:
    # /report/… and /en/report/…
    parts = path.split("/", 3)
    return path.startswith(REPORT_PATH_PREFIXES) or (len(parts) > 2 and parts[2] == "report")


class ForgetReportRequests(logging.Filter):
    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") or ""
        if request is not None and is_report_path(path):
            del record.request
        return True


def install() -> None:
    report_filter = ForgetReportRequests()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, ForgetReportRequests) for existing in logger.filters):
            logger.addFilter(report_filter)
