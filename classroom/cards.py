"""Printable login cards: the addresses printed on them and the QR code of
the login address, drawn on the server as inline SVG (no script, no image
service: nobody outside the platform learns that a class got accounts)."""

from __future__ import annotations

import re
from functools import lru_cache

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from edu_platform.urls_public import public_url

CARDS_PER_SHEET = 8


def _absolute(name: str, request) -> str:
    # Without a language prefix: the shortest address to type, and it opens
    # in Korean, the school's language.
    with translation.override(settings.LANGUAGE_CODE):
        return public_url(reverse(name), request)


def login_address(request=None) -> str:
    return _absolute("account_login", request)


def join_address(request=None) -> str:
    return _absolute("join_class", request)


def sign_in_address(token: str, request=None) -> str:
    """The card's own QR address: it signs this pupil in (accounts.card_signin)."""
    with translation.override(settings.LANGUAGE_CODE):
        return public_url(reverse("card_sign_in", kwargs={"token": token}), request)


def sign_in_qr(token: str, request=None) -> SafeString:
    """The pupil's sign-in QR code, or the login page's for a card without a
    token. Not cached: each code is printed once."""
    address = sign_in_address(token, request) if token else login_address(request)
    return qr_svg.__wrapped__(address) if token else qr_svg(address)


def parent_signup_address(request=None) -> str:
    return _absolute("account_signup", request)


def letter_qr(request=None) -> SafeString:
    """The QR code of the parents' sign-up address on the letters home: the
    same for every letter of a class (the guardian code is printed, never
    put in an address)."""
    svg = qr_svg(parent_signup_address(request))
    return mark_safe(svg.replace('<svg class="qr"', '<svg class="letter-qr"', 1))  # noqa: S308 - our own SVG


@lru_cache(maxsize=8)
def qr_svg(text: str) -> SafeString:
    """An SVG QR code of `text`, sized by CSS. The library's fixed id and size
    attributes are removed: the same code appears on every card of a page."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'\s(width|height)="[^"]*mm"', "", svg, count=2)
    svg = svg.replace(' id="qr-path"', "")
    svg = svg.replace("<svg ", '<svg class="qr" aria-hidden="true" focusable="false" ', 1)
    return mark_safe(svg)  # noqa: S308 - made here from our own URL, no user input


def sheets(cards: list, per_sheet: int = CARDS_PER_SHEET) -> list[list]:
    """Cards in groups of eight, one group per printed A4 page."""
    return [cards[i : i + per_sheet] for i in range(0, len(cards), per_sheet)]
