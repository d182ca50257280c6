"""gunicorn's logger with control characters escaped in the access log.

gunicorn logs the request path percent-decoded, so a request for
``/report/%0D%0A...`` would write a line of the attacker's choosing into the
access log (and ``%1B`` would send terminal escapes to whoever reads it).
Every text atom is escaped here: control characters (C0, DEL, C1) and the
Unicode line and paragraph separators become ``\\xNN`` / ``\\uNNNN``, and a
backslash is doubled so that an escape cannot be faked either.

Card sign-in tokens (accounts.card_signin) are cut out of the logged path
and request line too.

Used with ``--logger-class edu_platform.gunicorn_logger.SafeAccessLogger``
(bin/stack; docs/deploy.md).
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def _escape(match: re.Match) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(value):
    """A text with its control characters escaped; anything else unchanged."""
    return _UNSAFE.sub(_escape, value) if isinstance(value, str) else value


def _without_card_token(value):
    if isinstance(value, str) and "/card/" in value:
        # A plain function of the path: importing accounts here would need Django set up.
        return re.sub(r"/card/[^/\s?]+", "/card/…", value)
    return value


class SafeAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: escape_controls(_without_card_token(value)) for key, value in atoms.items()}
