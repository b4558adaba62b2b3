"""List import batches, newest first, as the Imports page does."""

from django.core.management.base import BaseCommand

from measures.models import ImportBatch


class Command(BaseCommand):
    help = "List import batches (newest first): number, status, when, who, file and counts."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=25)

    def handle(self, *args, limit, **options):
        batches = ImportBatch.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]
        if not batches:
            self.stdout.write("No imports yet.")
        for b in batches:
            self.stdout.write(
                f"#{b.pk}\t{b.status_label}\t{b.created_at:%Y-%m-%d %H:%M}\t"
                f"{b.created_by or 'command line'}\t{b.file_name}\t"
                f"{b.new_count} new, {b.changed_count} changed, {b.unchanged_count} unchanged"
            )
