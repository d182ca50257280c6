from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incident reports")

    def ready(self):
        from . import keyring, log_filters  # noqa: F401  (keyring: sign-in and password signals)

        log_filters.install()
