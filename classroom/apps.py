from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassroomConfig(AppConfig):
    name = "classroom"
    verbose_name = _("Classes")

    def ready(self):
        from . import learning  # noqa: F401  (counts the class's first answers: curriculum.signals)
