"""The school admin's poster: the school code and a QR code (SVG made on the
server) of the school's report address, with no third-party assets."""

import re

from tests.conftest import mfa_login


def test_poster_has_the_code_and_a_server_made_qr(client, cast, settings):
    settings.SITE_URL = "https://safe.example.org"
    mfa_login(client, cast.school_admin)
    response = client.get("/school/HOME01/reports/poster/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "HOME01" in html
    assert "https://safe.example.org/report/HOME01/" in html
    svg = re.search(r"<svg[^>]*viewBox[^>]*>.*?</svg>", html, re.S)
    assert svg and "<path" in svg.group(0)
    assert "style=" not in svg.group(0)  # the CSP forbids inline styles
    assert not re.search(r'(src|href)="https?://', html.split("<main", 1)[1].split("</main>")[0])


def test_the_qr_code_encodes_the_address():
    from incidents.staff_views import qr_svg

    first, second = qr_svg("https://a.example/report/HOME01/"), qr_svg("https://a.example/report/AWAY01/")
    assert first != second
    assert first.startswith("<svg")
