"""Import a police or ONS performance spreadsheet from the command line, as the Imports page does."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from measures.forms import MappingForm
from measures.models import ImportBatch, Measure, normalise_label
from measures.services import import_file

HOW = {
    "sheet": 'Name the sheet with --sheet "NAME".',
    "period": 'Give the period with --period, e.g. --period "year ending December 2024".',
}


class Command(BaseCommand):
    help = (
        "Preview and import a performance file (CSV, XLSX, XLS, ODS) into measure values, all or nothing. "
        "Exits non-zero, printing why, whenever nothing is imported because of the file."
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
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="LABEL=MEASURE",
            help="Map an offence line or crime type into a measure (its slug or name), as the "
            "preview's mapping form does; kept for later imports. Repeatable.",
        )
        parser.add_argument(
            "--ignore",
            action="append",
            default=[],
            metavar="LABEL",
            help="Mark a line as used by no measure (skipped from now on). Repeatable.",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm figures the preview flags as far outside their area's history.",
        )

    def handle(self, *args, file, layout, period, sheet, dry_run, user, map, ignore, yes, **options):
        who = None
        if user:
            who = get_user_model().objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"No user {user!r}.")
        with transaction.atomic():
            for text in map:
                self.save_mapping(*self.split_mapping(text), dry_run=dry_run)
            for label in ignore:
                self.save_mapping(label, "ignore", dry_run=dry_run)
            # Every figure already stored: as the browser does not record such an import unasked, nor
            # does this (the import, its batch and its notice are undone; the mappings stay).
            with transaction.atomic():
                try:
                    batch = import_file(
                        path=file,
                        user=who,
                        layout=layout,
                        period=period,
                        sheet=sheet,
                        dry_run=dry_run,
                        confirmed=yes,
                    )
                except FileNotFoundError as error:
                    raise CommandError(f"No such file: {file}") from error
                unchanged = (
                    not dry_run
                    and batch.status == ImportBatch.Status.APPLIED
                    and not (batch.new_count or batch.changed_count)
                )
                if unchanged:
                    transaction.set_rollback(True)
            if dry_run:
                transaction.set_rollback(True)  # --map and --ignore too: a dry run writes nothing
        self.print_summary(batch)
        s = batch.summary
        if s.get("needs"):
            how = HOW[s["needs"]]
            if s.get("choices"):  # the periods the file names: the first suggested, each as --period takes it
                listed = " or ".join(f'--period "{choice}"' for choice in s["choices"])
                how = f"Give the period with {listed}."
            raise CommandError(f"{s['question']} {how} Nothing was imported.")
        if batch.error_count:
            raise CommandError(f"{batch.error_count} error(s): nothing was imported.")
        if dry_run:
            if s.get("flagged_count") and not yes:
                self.stdout.write(
                    f"{s['flagged_count']} flagged figure(s) will need --yes when the file is imported."
                )
            if s.get("incomplete") and not yes:
                self.stdout.write("The part sums above will need --yes when the file is imported.")
            self.stdout.write("Dry run: nothing was written.")
        elif unchanged:
            self.stdout.write(
                "Every figure in this file is already in the database: importing it changes nothing, so "
                "no import was recorded."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported as batch #{batch.pk}."))

    @staticmethod
    def split_mapping(text: str) -> tuple[str, str]:
        label, sep, measure = text.rpartition("=")
        if not sep or not label.strip() or not measure.strip():
            raise CommandError(
                '--map takes LABEL=MEASURE, e.g. --map "Residential burglary=acquisitive-crime"; '
                f"got {text!r}."
            )
        wanted = normalise_label(measure)
        for m in Measure.objects.all():
            if wanted in {normalise_label(x) for x in (m.slug, m.name, m.short_name) if x}:
                return label.strip(), str(m.pk)
        names = ", ".join(Measure.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"No measure {measure.strip()!r}. The measures are: {names}.")

    def save_mapping(self, label: str, target: str, *, dry_run=False):
        form = MappingForm({"label": label, "target": target})
        if form.is_valid():
            form.save()  # for the preview; a dry run rolls it back
            done = "used for this preview, not saved (dry run)" if dry_run else "saved"
            self.stdout.write(f"Mapping {done}: “{form.cleaned_data['label']}”.")
            return
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        if "already" in problems:
            return  # mapped already: nothing to do
        raise CommandError(f"Cannot map {label!r}: {problems}")

    def print_summary(self, batch):
        s = batch.summary
        layout = (
            ImportBatch.Layout(s["layout"]).label
            if s.get("layout")
            else "which table?"
            if s.get("needs") == "sheet"
            else "not recognised"
        )
        self.stdout.write(f"{batch.file_name}: {layout}{', sheet ' + s['sheet'] if s.get('sheet') else ''}")
        if s.get("period_note"):
            self.stdout.write(f"Period: {s['period_note']}")
        if batch.error_count:  # refused: no row is used, so no sum of rows used and skipped
            errors = "errors are" if batch.error_count > 1 else "error is"
            rows = f"{s['rows_read']}; nothing can be imported until the {errors} put right"
        elif s.get("rows_changed") is not None:
            rows = (
                f"{s['rows_read']} = {s['rows_changed']} used (new or changed) + {s['rows_unchanged']} "
                f"unchanged + {s.get('rows_skipped', 0)} skipped"
            )
        else:
            rows = f"{s['rows_read']} = {s.get('rows_used', 0)} used + {s.get('rows_skipped', 0)} skipped"
        self.stdout.write(
            f"Rows read: {rows} ({s['values_read']} values). Figures: {batch.new_count} new, "
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
                f"Skipped rows: {skip['reason']}: {skip['count']}{' — ' + examples if examples else ''}"
            )
        for note in s.get("cells", []):
            examples = "; ".join(name for name, _ in note["examples"][:3])
            self.stdout.write(
                f"Cells: {note['reason']}: {note['count']}{' — ' + examples if examples else ''}"
            )
        for figure in s.get("figures", [])[:20]:
            self.stdout.write("  " + figure_line(figure))
        if len(s.get("figures", [])) > 20:
            self.stdout.write(
                f"  ... {s['figures_count'] - 20} more figures (the page lists {len(s['figures'])})."
            )
        if s.get("flagged_count"):
            self.stdout.write(
                f"Flagged: {s['flagged_count']} figure(s) far outside their area's history. "
                f"{s['outlier_rule']}"
            )
            for figure in s["flagged"][:20]:
                self.stdout.write(f"  FLAGGED {figure_line(figure)}: {figure['flag']}")
        for sentence in s.get("incomplete", []):
            self.stdout.write(f"PART SUM: {sentence}")
        for notice in s["notices"]:
            self.stdout.write(f"Note: {notice}")
        if s.get("unused_labels"):
            self.stdout.write(
                "Not used by any measure: "
                + ", ".join(s["unused_labels"])
                + '. To count one, add --map "LABEL=measure".'
            )
        for error in s["errors"]:
            where = ", ".join(
                str(x) for x in (f"row {error['row']}" if error["row"] else "", error["cell"]) if x
            )
            self.stderr.write(f"Error{' (' + where + ')' if where else ''}: {error['message']}")
        if s["error_count"] > len(s["errors"]):
            self.stderr.write(f"... and {s['error_count'] - len(s['errors'])} more errors.")
        if s.get("unknown_labels"):
            self.stderr.write(
                'To fix: map each line with --map "LABEL=measure" or skip it with --ignore "LABEL" '
                "(or use the preview's mapping form in the browser)."
            )


def figure_line(f: dict) -> str:
    old = f"{f['old']} → {f['new']}" if f["old"] and f["old"] != f["new"] else f"{f['new']} ({f['status']})"
    before = f"; {f['previous_period']}: {f['previous']} ({f['change']})" if f["previous"] else ""
    who = f"{f['area']}{' (' + f['partnership'] + ')' if f['partnership'] else ''}"
    return f"{f['measure']}, {who}, {f['period']}: {old}{before}"
