"""What every template needs: the other language's link and the help lines."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from curriculum.help_lines import help_lines_for


def platform(request):
    current = get_language() or settings.LANGUAGE_CODE
    other_languages = [
        {"code": code, "name": name, "url": translate_url(request.get_full_path(), code)}
        for code, name in settings.LANGUAGES
        if code != current
    ]
    return {
        "other_languages": other_languages,
        "help_lines": help_lines_for(getattr(request, "jurisdiction", settings.DEFAULT_JURISDICTION)),
        "site_name_setting": settings.WAGTAIL_SITE_NAME,
    }
