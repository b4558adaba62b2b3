"""Import a police or ONS performance spreadsheet from the command line, as the Imports page does."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from measures.models import ImportBatch
from measures.services import import_file


class Command(BaseCommand):
    help = (
        "Preview and import a performance file (CSV, XLSX, XLS, ODS) into measure values, all or nothing. "
        "Exits non-zero, printing the errors, when the file cannot be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--layout", choices=ImportBatch.Layout.values, default="", help="Default: detected."
        )
        parser.add_argument("--period", default="", help="e.g. 'year ending December 2024', '2023/24'.")
        parser.add_argument("--sheet", default="", help="The sheet to read, in a workbook with several.")
        parser.add_argument("--dry-run", action="store_true", help="Preview only: write nothing.")
        parser.add_argument("--user", default="", help="Record the import as done by this username.")

    def handle(self, *args, file, layout, period, sheet, dry_run, user, **options):
        who = None
        if user:
            who = get_user_model().objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"No user {user!r}.")
        try:
            batch = import_file(
                path=file, user=who, layout=layout, period=period, sheet=sheet, dry_run=dry_run
            )
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {file}") from error
        self.print_summary(batch)
        if batch.error_count:
            raise CommandError(f"{batch.error_count} error(s): nothing was imported.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported as batch #{batch.pk}."))

    def print_summary(self, batch):
        s = batch.summary
        layout = ImportBatch.Layout(s["layout"]).label if s.get("layout") else "not recognised"
        self.stdout.write(f"{batch.file_name}: {layout}{', sheet ' + s['sheet'] if s.get('sheet') else ''}")
        if s.get("period_note"):
            self.stdout.write(f"Period: {s['period_note']}")
        self.stdout.write(
            f"Rows read: {s['rows_read']} ({s['values_read']} values). Figures: {batch.new_count} new, "
            f"{batch.changed_count} changed, {batch.unchanged_count} unchanged."
        )
        for entry in s["by_measure"]:
            self.stdout.write(
                f"  {entry['measure']}: {entry['new']} new, {entry['changed']} changed, "
                f"{entry['unchanged']} unchanged"
            )
        for skip in s["skipped"]:
            examples = ", ".join(f"{name} ({n})" for name, n in skip["examples"][:5])
            self.stdout.write(
                f"Skipped: {skip['reason']}: {skip['count']}{' — ' + examples if examples else ''}"
            )
        for notice in s["notices"]:
            self.stdout.write(f"Note: {notice}")
        for error in s["errors"]:
            where = ", ".join(
                str(x) for x in (f"row {error['row']}" if error["row"] else "", error["cell"]) if x
            )
            self.stderr.write(f"Error{' (' + where + ')' if where else ''}: {error['message']}")
        if s["error_count"] > len(s["errors"]):
            self.stderr.write(f"... and {s['error_count'] - len(s['errors'])} more errors.")
