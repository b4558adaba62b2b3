"""Roll an applied import back, as the import's page does."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from measures.importing.readers import ImportFileError
from measures.models import ImportBatch
from measures.services import import_batch_rollback


class Command(BaseCommand):
    help = "Roll back an applied import: the values it changed get their previous value, those it added go."

    def add_arguments(self, parser):
        parser.add_argument("batch", type=int, help="The import's number (see import_batches).")
        parser.add_argument("--user", default="", help="Record the rollback as done by this username.")

    def handle(self, *args, batch, user, **options):
        found = ImportBatch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(f"No import #{batch}.")
        who = get_user_model().objects.filter(username=user).first() if user else None
        if user and who is None:
            raise CommandError(f"No user {user!r}.")
        try:
            counts = import_batch_rollback(batch=found, user=who)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Rolled back import #{batch}: {counts['restored']} values restored, {counts['removed']} removed"
            + (f", {counts['kept']} left as a later import changed them" if counts["kept"] else "")
            + "."
        )
