"""Import ONS mid-year population estimates into the areas' populations by year."""

from django.core.management.base import BaseCommand, CommandError

from measures.importing.populations import PopulationImportError, population_import
from measures.importing.readers import ImportFileError


class Command(BaseCommand):
    help = (
        "Import ONS mid-year population estimates (CSV or XLSX): one “All ages” column with --year, or a "
        "column per mid-year. All or nothing; areas that are not ours are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument("--year", type=int, default=None, help="The mid-year of an “All ages” column.")
        parser.add_argument("--source", default="", help="Where the figures come from (default: the file).")

    def handle(self, *args, file, year, source, **options):
        try:
            result = population_import(path=file, year=year, source=source)
        except PopulationImportError as error:
            raise CommandError("Nothing was imported.\n" + "\n".join(error.errors)) from error
        except (ImportFileError, OSError) as error:
            raise CommandError(f"Nothing was imported: {error}") from error
        self.stdout.write(result.describe())
