"""Email the owners of deliverables that have no update yet in an open reporting quarter."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from partnerships.models import Notification
from partnerships.notifications import notify, wants_email
from reviews import clock
from reviews.models import ReportingQuarter
from reviews.services import get_review, live_deliverables, strategy_for_quarter


class Command(BaseCommand):
    help = "Email each owner of a deliverable with no update in an open quarter (one email per owner)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be emailed; send nothing.")

    def handle(self, *args, dry_run=False, **options):
        sent = skipped = 0
        # The one overdue list (reviews.clock), as at the reporting date, by owner.
        reporting = clock.default_quarter()
        overdue = defaultdict(list)
        for deliverable, _ in clock.overdue(reporting) if reporting else []:
            overdue[deliverable.owner_id].append(deliverable)
        as_at = clock.reporting_date(reporting)
        for quarter in ReportingQuarter.objects.open().select_related("period"):
            waiting = defaultdict(list)  # owner -> [(partnership, deliverable)]
            no_owner = []
            for partnership in clock.partnerships_on(quarter.period.end):
                if get_review(partnership, quarter).lock_reason():
                    continue  # submitted or signed off: nothing to chase
                strategy = strategy_for_quarter(partnership, quarter)
                for deliverable in live_deliverables(strategy, quarter).exclude(updates__quarter=quarter):
                    if deliverable.owner and deliverable.owner.email:
                        waiting[deliverable.owner].append((partnership, deliverable))
                    else:
                        no_owner.append((partnership, deliverable))
            for owner, items in waiting.items():
                lines = [
                    f"- {d.title} ({p.name}): {settings.SITE_URL}"
                    f"{reverse('reviews:update', args=[p.slug, quarter.pk, d.pk])}"
                    for p, d in items
                ]
                due = f" by {quarter.due_on:%d %B %Y}" if quarter.due_on else ""
                late = [
                    f"- {d.title} (due {d.due_date:%d %B %Y}): {settings.SITE_URL}{d.get_absolute_url()}"
                    for d in overdue.get(owner.pk, [])
                ]
                if late:
                    lines += ["", f"Overdue as at {as_at:%d %B %Y} ({clock.OVERDUE_RULE})", *late]
                body = (
                    f"Dear {owner.first_name or owner.username},\n\n"
                    f"The {quarter} review is open. Please update these deliverables{due}:\n\n"
                    + "\n".join(lines)
                    + "\n\nThank you.\n"
                )
                subject = (
                    f"{quarter} review: {len(items)} deliverable{'s' if len(items) != 1 else ''} to update"
                )
                if dry_run:
                    self.stdout.write(f"Would email {owner.email}: {subject}")
                    sent += 1
                    continue
                review_url = reverse("reviews:detail", args=[items[0][0].slug, quarter.pk])
                notify([owner], Notification.Kind.DUE_SOON, subject, body, review_url, email=False)
                if wants_email(owner, Notification.Kind.DUE_SOON):
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
                    sent += 1
            for partnership, deliverable in no_owner:
                self.stdout.write(
                    f"No owner with an email for “{deliverable.title}” ({partnership}): nobody reminded."
                )
                skipped += 1
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {sent} reminder{'s' if sent != 1 else ''}; {skipped} without owner.")
        )
