"""The help lines shown on every page, by jurisdiction.

They are kept in code, not only in the CMS, because the "Get help now" panel
must work even when the database does not answer. Lessons show the fuller
``HelpResource`` snippets, loaded from content/facts.yaml.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HelpLine:
    name: str
    number: str
    purpose: str
    hours: str
    url: str = ""


KOREA = (
    HelpLine(_("Police"), "112", _("Danger now, threats, or someone demanding money or more pictures"), _("24 hours")),
    HelpLine(_("Women's emergency line"), "1366", _("Counseling and support for victims"), _("24 hours")),
    HelpLine(
        _("School violence report and counseling"),
        "117",
        _("Students, parents and teachers; chat at 117CHAT or text #0117"),
        _("24 hours"),
    ),
    HelpLine(
        _("Digital Sexual Crime Victims Support Center"),
        "02-735-8994",
        _("Removing images, watching for copies, legal and medical support"),
        _("365 days"),
        "https://d4u.stop.or.kr",
    ),
    # Name and hours as in content/facts.yaml (kr-kcsc-1377); a test keeps them equal.
    HelpLine(
        _("Korea Communications Standards Commission"),
        "1377",
        _("Requests to take down or block illegal material spread online"),
        _("Check opening hours by phone"),
    ),
    HelpLine(
        _("Youth counseling"), "1388", _("Any worry of a young person, including threats and pictures"), _("24 hours")
    ),
    HelpLine(_("Suicide crisis line"), "109", _("Anyone in crisis, including people being threatened"), _("24 hours")),
)

HELP_LINES = {"KR": KOREA}


def help_lines_for(jurisdiction: str) -> tuple[HelpLine, ...]:
    return HELP_LINES.get(jurisdiction, KOREA)


def emergency_lines(jurisdiction: str) -> tuple[HelpLine, ...]:
    """The three numbers that fit in a page footer."""
    return help_lines_for(jurisdiction)[:3]


# What a family sheet prints for each band, in this order (content/STYLE.md,
# "Help lines by band"): the youngest get 117 and 1388 only; older bands add
# the police, then the crisis line, the Support Center and takedown requests.
BAND_NUMBERS = {
    "e12": ("117", "1388"),
    "e34": ("117", "1388", "112"),
    "e56": ("117", "1388", "112", "1366"),
    "middle": ("112", "117", "1388", "109", "02-735-8994"),
    "high": ("112", "117", "1388", "109", "02-735-8994", "1377"),
}


def help_lines_for_band(band: str, jurisdiction: str) -> tuple[HelpLine, ...]:
    """The help lines fit for a grade band; every line for other audiences."""
    lines = help_lines_for(jurisdiction)
    numbers = BAND_NUMBERS.get(band)
    if numbers is None or jurisdiction not in HELP_LINES:
        return lines
    by_number = {line.number: line for line in lines}
    return tuple(by_number[number] for number in numbers if number in by_number)
