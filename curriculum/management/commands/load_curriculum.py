"""manage.py load_curriculum: create or update the lessons from the files."""

from django.core.management.base import BaseCommand, CommandError

from curriculum.content_schema import ContentError
from curriculum.loader import load_curriculum


class Command(BaseCommand):
    help = "Load curriculum/content into the CMS (idempotent)."

    def handle(self, *args, **options):
        try:
            report = load_curriculum()
        except ContentError as error:
            raise CommandError("The content files have problems:\n" + "\n".join(error.problems)) from None
        self.stdout.write(
            f"Curriculum: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged modules."
        )
