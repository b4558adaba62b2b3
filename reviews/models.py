"""Quarterly reviews: reporting quarters, each partnership's review and sign-off, deliverable updates
and their evidence.

These models were first made in the ``strategies`` app; their tables keep the names they had there
(``db_table`` and the history ``table_name``), so a database made before the move keeps every row.
"""

import datetime
import uuid
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partnerships.dates import validate_plausible_date
from partnerships.models import Partnership, User
from strategies.models import Deliverable


class ReportingQuarterQuerySet(models.QuerySet):
    def open(self, today: datetime.date | None = None):
        """Quarters open for updates: opened by an admin, or due to open automatically by now."""
        today = today or datetime.date.today()
        is_open = Q(status=ReportingQuarter.Status.OPEN)
        if settings.REVIEW_AUTO_OPEN:
            is_open |= Q(status=ReportingQuarter.Status.SCHEDULED, opens_on__lte=today)
        return self.filter(is_open)

    def latest_first(self):
        return self.select_related("period").order_by("-period__end")


class ReportingQuarter(models.Model):
    """A financial-year quarter that partnerships review their action plans for.

    Admins open and close quarters; with ``REVIEW_AUTO_OPEN`` a scheduled quarter opens by itself
    on its ``opens_on`` date.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Not open yet"
        OPEN = "open", "Open for updates"
        CLOSED = "closed", "Closed"

    period = models.OneToOneField(
        "measures.Period", on_delete=models.PROTECT, related_name="reporting_quarter"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    opens_on = models.DateField(
        help_text="When updates open (automatically, if the site is set to do so).",
        validators=[validate_plausible_date],
    )
    due_on = models.DateField(
        null=True,
        blank=True,
        help_text="When partnerships should have submitted.",
        validators=[validate_plausible_date],
    )

    objects = ReportingQuarterQuerySet.as_manager()
    history = HistoricalRecords(table_name="strategies_historicalreportingquarter")

    class Meta:
        db_table = "strategies_reportingquarter"
        ordering = ["-period__end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("opens_on")),
                name="reportingquarter_due_after_opening",
                violation_error_message="The due date must be on or after the opening date.",
            ),
        ]

    def __str__(self):
        return self.period.label

    def clean(self):
        if self.period_id and self.period.kind != "quarter":
            raise ValidationError({"period": "Reviews are quarterly: choose a financial-year quarter."})

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or datetime.date.today()
        if self.status == self.Status.OPEN:
            return True
        return bool(
            settings.REVIEW_AUTO_OPEN and self.status == self.Status.SCHEDULED and self.opens_on <= today
        )

    def state_label(self, today: datetime.date | None = None) -> str:
        return self.Status.OPEN.label if self.is_open(today) else self.get_status_display()


class QuarterlyReview(models.Model):
    """One partnership's review of its action plan for one reporting quarter, and its sign-off."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted for sign-off"
        RETURNED = "returned", "Returned for changes"
        SIGNED_OFF = "signed_off", "Signed off"

    EDITABLE = (Status.IN_PROGRESS, Status.RETURNED)
    UNLOCKABLE = (Status.SUBMITTED, Status.SIGNED_OFF)

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="reviews")
    quarter = models.ForeignKey(ReportingQuarter, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(table_name="strategies_historicalquarterlyreview")

    class Meta:
        db_table = "strategies_quarterlyreview"
        ordering = ["partnership__name", "-quarter__period__end"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "quarter"],
                name="quarterlyreview_one_per_partnership_quarter",
                violation_error_message="This partnership already has a review for this quarter.",
            ),
        ]

    def __str__(self):
        return f"{self.partnership} review, {self.quarter}"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.partnership.slug, self.quarter_id])

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SIGNED_OFF

    def latest_return(self):
        """While the review is returned: the event that returned it (the lead's comment, or an admin's
        reason for unlocking); otherwise None."""
        if self.pk is None or self.status != self.Status.RETURNED:
            return None
        actions = [ReviewEvent.Action.RETURNED, ReviewEvent.Action.UNLOCKED]
        return self.events.filter(action__in=actions).select_related("user").first()

    def can_view(self, user) -> bool:
        return self.partnership.can_view_reviews(user)

    def can_edit(self, user) -> bool:
        """Change this quarter's updates and evidence: the partnership's people, while it is open."""
        return self.partnership.can_edit(user) and not self.lock_reason()

    def can_sign_off(self, user) -> bool:
        """Sign off or return: the partnership's lead (or an admin), once it is submitted."""
        return self.partnership.can_sign_off(user) and self.status == self.Status.SUBMITTED

    def can_unlock(self, user) -> bool:
        return user.is_admin and self.status in self.UNLOCKABLE

    @cached_property
    def partnership_reports(self) -> bool:
        """Did the partnership report on this quarter (cover an area on its last day)? A partnership
        formed later, or merged away before then, is asked for nothing."""
        return self.partnership.coverage.covering(self.quarter.period.end).exists()

    def lock_reason(self, today: datetime.date | None = None) -> str:
        """Why updates cannot be changed now, in plain words; empty when they can."""
        if not self.partnership_reports:
            return (
                f"{self.partnership} did not report on {self.quarter}: it covered no area on "
                f"{self.quarter.period.end:%-d %B %Y}. Nothing is asked of it for this quarter."
            )
        if self.status == self.Status.SIGNED_OFF:
            return f"{self.quarter} is signed off and locked for {self.partnership}."
        if self.status == self.Status.SUBMITTED:
            return f"{self.quarter} has been submitted for sign-off; the lead can return it for changes."
        if not self.quarter.is_open(today):
            return f"{self.quarter} is not open for updates ({self.quarter.state_label(today).lower()})."
        return ""


class ReviewEvent(models.Model):
    """What happened to a review and why: submitted, returned (with a comment), signed off, unlocked."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for sign-off"
        RETURNED = "returned", "Returned for changes"
        SIGNED_OFF = "signed_off", "Signed off"
        UNLOCKED = "unlocked", "Unlocked by an administrator"

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        db_table = "strategies_reviewevent"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.user} on {self.at:%d %b %Y}"


class DeliverableUpdate(models.Model):
    """An officer's update of one deliverable for one quarter: status, RAG, progress, commentary."""

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"
        COMPLETE = "complete", "Complete"

    NEEDS_COMMENTARY = (Rag.RED, Rag.AMBER)
    RAG_SEVERITY = {Rag.RED: 3, Rag.AMBER: 2, Rag.GREEN: 1, Rag.COMPLETE: 0}

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="updates")
    quarter = models.ForeignKey(ReportingQuarter, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=12, choices=Deliverable.Status.choices)
    rag = models.CharField("RAG rating", max_length=8, choices=Rag.choices)
    progress = models.PositiveSmallIntegerField(
        "progress %", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    commentary = models.TextField(blank=True)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], table_name="strategies_historicaldeliverableupdate"
    )

    class Meta:
        db_table = "strategies_deliverableupdate"
        ordering = ["deliverable", "-quarter__period__end"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "quarter"],
                name="deliverableupdate_one_per_quarter",
                violation_error_message="This deliverable already has an update for this quarter.",
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="deliverableupdate_progress_is_a_percentage",
                violation_error_message="Progress is a percentage from 0 to 100.",
            ),
        ]

    def __str__(self):
        return f"{self.deliverable}: {self.get_rag_display()} in {self.quarter}"

    def clean(self):
        check_update_rules(self, previous_rag=getattr(self, "previous_rag", None))


def check_update_rules(update: DeliverableUpdate, previous_rag: str | None) -> None:
    """Commentary is required for red and amber, and whenever the RAG rating changes; RAG and status agree."""
    errors = {}
    commentary = (update.commentary or "").strip()
    if update.rag in DeliverableUpdate.NEEDS_COMMENTARY and not commentary:
        errors["commentary"] = f"Say what is being done: commentary is required for a {update.rag} rating."
    elif previous_rag and update.rag and previous_rag != update.rag and not commentary:
        errors["commentary"] = (
            f"The rating changed from {DeliverableUpdate.Rag(previous_rag).label} to "
            f"{DeliverableUpdate.Rag(update.rag).label}: say why."
        )
    if (update.rag == DeliverableUpdate.Rag.COMPLETE) != (update.status == Deliverable.Status.COMPLETE):
        errors["rag"] = "Use the Complete rating exactly when the status is Complete."
    if update.status == Deliverable.Status.DROPPED and not commentary:
        errors["commentary"] = "Say why the deliverable was dropped."
    if errors:
        raise ValidationError(errors)


def private_storage():
    """Evidence files live outside any public URL (MEDIA_URL is not served)."""
    return storages["private"]


def evidence_upload_to(instance, filename):
    # A random name: the original is kept in the database, never trusted as a path.
    return f"evidence/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A link or an uploaded file backing up an update. Files are private: served by a view that checks."""

    update = models.ForeignKey(DeliverableUpdate, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    url = models.URLField("link", blank=True, max_length=500)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, storage=private_storage)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(table_name="strategies_historicalevidence")

    class Meta:
        db_table = "strategies_evidence"
        ordering = ["added_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_is_a_link_or_a_file",
                violation_error_message="Give either a link or a file.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reviews:evidence", args=[self.pk]) if self.file else self.url

    @property
    def is_file(self) -> bool:
        return bool(self.file)
