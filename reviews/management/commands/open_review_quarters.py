"""Add the quarter that has just ended as a reporting quarter, to open by itself (run daily, e.g. by cron)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from reviews.models import ReportingQuarter
from reviews.services import quarter_opened, quarters_open_due


class Command(BaseCommand):
    help = (
        "Schedule the last finished quarter for review: it opens REVIEW_OPENS_DAYS_AFTER_QUARTER_END days "
        "after it ends (automatically when REVIEW_AUTO_OPEN is on)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Pretend it is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today=None, **options):
        created = quarters_open_due(
            today=today or datetime.date.today(),
            opens_after_days=settings.REVIEW_OPENS_DAYS_AFTER_QUARTER_END,
            due_after_days=settings.REVIEW_DUE_DAYS_AFTER_OPENING,
        )
        for quarter in created:
            self.stdout.write(f"Scheduled {quarter} to open on {quarter.opens_on:%d %B %Y}.")
        if not created:
            self.stdout.write("Nothing to add: the last finished quarter is already set up.")
        if not settings.REVIEW_AUTO_OPEN:
            self.stdout.write(
                "REVIEW_AUTO_OPEN is off: an administrator opens quarters on the Quarterly reviews page."
            )
            return
        # A quarter opening by itself today: tell the partnerships reporting on it (once: this runs daily).
        day = today or datetime.date.today()
        for quarter in ReportingQuarter.objects.filter(
            status=ReportingQuarter.Status.SCHEDULED, opens_on=day
        ).select_related("period"):
            quarter_opened(quarter)
            self.stdout.write(f"{quarter} opens today: its partnerships have been told.")
