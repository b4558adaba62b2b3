"""County frameworks, partnerships' three-year strategies, local objectives and deliverables."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from measures import periods
from partnerships.dates import validate_plausible_date
from partnerships.models import Partnership, User


class WiderObjective(models.Model):
    """An objective of a wider plan that strategies link to, e.g. Oxfordshire 2030's "World Class Economy"."""

    plan = models.CharField(max_length=120, help_text="e.g. Oxfordshire 2030")
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "title"],
                name="widerobjective_unique_title",
                violation_error_message="That plan already has this objective.",
            )
        ]

    def __str__(self):
        return f"{self.plan}: {self.title}"


class Framework(models.Model):
    """A county's overarching priorities, which every partnership in the county follows."""

    name = models.CharField(max_length=200, unique=True)
    county = models.CharField(max_length=120)
    first_year = models.PositiveIntegerField(
        help_text="First financial year it applies to, e.g. 2011 for 2011/12."
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "-first_year"]

    def __str__(self):
        return self.name


class Priority(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=80, blank=True, help_text="For table headings.")
    context = models.TextField(blank=True)
    # The measures of success that show how the priority is going. Declared here, not on Measure, so that
    # measures know nothing of strategies; the table keeps the name it had when Measure declared it.
    measures = models.ManyToManyField(
        "measures.Measure", related_name="priorities", blank=True, db_table="measures_measure_priorities"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"],
                name="priority_unique_number",
                violation_error_message="The framework already has a priority with this number.",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def heading(self) -> str:
        return self.short_title or self.title


class CommonTheme(models.Model):
    """A theme the framework suggests for deliverables under a priority, e.g. "Nightsafe and Pub Watch"."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["priority", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "title"],
                name="commontheme_unique_title",
                violation_error_message="This priority already has that theme.",
            )
        ]

    def __str__(self):
        return self.title


class StrategyQuerySet(models.QuerySet):
    def adopted(self):
        return self.filter(status=Strategy.Status.ADOPTED)

    def for_partnership(self, partnership):
        return self.filter(partnership=partnership)

    def covering_year(self, first_year: int):
        """Strategies whose three financial years include the given one."""
        return self.filter(first_year__lte=first_year, last_year__gte=first_year)

    def current(self):
        """Each partnership's latest adopted strategy is its current one; this returns the adopted ones
        newest first, so the first per partnership wins."""
        return self.adopted().order_by("partnership_id", "-first_year")


class Strategy(models.Model):
    """One partnership's rolling three-year community safety strategy, e.g. 2011-14."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ADOPTED = "adopted", "Adopted"
        SUPERSEDED = "superseded", "Superseded"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="strategies")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="strategies")
    first_year = models.PositiveIntegerField(help_text="First financial year, e.g. 2011 for 2011/12.")
    last_year = models.PositiveIntegerField(editable=False, help_text="Always two years after the first.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True)
    adopted_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    eia_date = models.DateField(
        "equality impact assessment date",
        null=True,
        blank=True,
        validators=[validate_plausible_date],
    )
    eia_note = models.TextField("equality impact assessment note", blank=True)
    eia_waiver_reason = models.TextField(
        "why it was adopted without an equality impact assessment",
        blank=True,
        help_text="Kept with the strategy when it is adopted before its assessment is recorded.",
    )
    wider_objectives = models.ManyToManyField(WiderObjective, blank=True, related_name="strategies")

    objects = StrategyQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[wider_objectives])

    class Meta:
        ordering = ["partnership__name", "-first_year"]
        verbose_name_plural = "strategies"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year=F("first_year") + 2),
                name="strategy_spans_three_financial_years",
                violation_error_message="A strategy spans exactly three financial years.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "first_year"],
                condition=Q(status="adopted"),
                name="strategy_one_adopted_per_partnership_year",
                violation_error_message=(
                    "This partnership already has an adopted strategy starting that year: supersede it first."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.partnership} community safety strategy {self.span_label}"

    def save(self, *args, **kwargs):
        self.last_year = self.first_year + 2
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("strategies:detail", args=[self.pk])

    def clean(self):
        if self.first_year:
            self.last_year = self.first_year + 2  # before the constraint check that follows clean()
        if self.first_year and self.framework_id and self.first_year < self.framework.first_year:
            raise ValidationError({"framework": "This framework starts after the strategy's first year."})

    @property
    def span_label(self) -> str:
        return periods.strategy_span_label(self.first_year)

    @property
    def years_label(self) -> str:
        first, last = (
            periods.financial_year_label(self.first_year),
            periods.financial_year_label(self.last_year),
        )
        return f"{first} to {last}"

    @property
    def start_date(self) -> datetime.date:
        return periods.financial_year_bounds(self.first_year)[0]

    @property
    def end_date(self) -> datetime.date:
        return periods.financial_year_bounds(self.last_year)[1]

    @property
    def is_read_only(self) -> bool:
        """A superseded strategy is kept exactly as recorded."""
        return self.status == self.Status.SUPERSEDED

    def can_edit(self, user) -> bool:
        return not self.is_read_only and self.partnership.can_edit(user)

    @property
    def has_eia(self) -> bool:
        return bool(self.eia_date and self.eia_note.strip())

    def can_adopt(self, user) -> bool:
        """A draft is adopted by its partnership's lead (or an admin)."""
        return self.status == self.Status.DRAFT and self.partnership.can_sign_off(user)


class Objective(models.Model):
    """What one partnership aims at under one of the framework's priorities, in its own words."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="objectives")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="objectives")
    title = models.TextField()
    order = models.PositiveIntegerField(default=0)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["priority__number", "order", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.strategy.get_absolute_url()}#objective-{self.pk}"

    def clean(self):
        if self.strategy_id and self.priority_id and self.priority.framework_id != self.strategy.framework_id:
            raise ValidationError({"priority": "Choose one of the priorities of this strategy's framework."})


def is_overdue(due_date: datetime.date | None, status: str, as_at: datetime.date) -> bool:
    """What "overdue" means, everywhere: open (as recorded) and due before the reporting date; something
    due on that day is not overdue yet. The reporting date comes from reviews.clock."""
    return bool(due_date and status not in Deliverable.CLOSED_STATUSES and due_date < as_at)


class DeliverableQuerySet(models.QuerySet):
    def for_partnership(self, partnership):
        return self.filter(objective__strategy__partnership=partnership)

    def open(self):
        return self.exclude(status__in=Deliverable.CLOSED_STATUSES)

    def status_counts(self):
        return dict(self.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


class Deliverable(models.Model):
    """A concrete piece of work under a local objective, with a lead agency, an owner and a due date."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"
        DROPPED = "dropped", "Dropped"

    CLOSED_STATUSES = (Status.COMPLETE, Status.DROPPED)

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    lead_agency = models.CharField(max_length=120, blank=True, help_text="e.g. Thames Valley Police")
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_deliverables"
    )
    due_date = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    theme = models.ForeignKey(
        CommonTheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliverables"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    closure_note = models.TextField(blank=True, help_text="Why it was completed or dropped.")
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
        help_text="The same piece of work in the strategy this one refreshed.",
    )
    # Optimistic locking: every save bumps the version; a save based on an older one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliverableQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["objective__priority__number", "objective__order", "objective_id", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reviews:deliverable", args=[self.pk])

    @property
    def partnership(self):
        return self.objective.strategy.partnership

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    def can_edit(self, user) -> bool:
        """Who may edit a deliverable: the strategy's partnership's people and admins, while the strategy
        is not superseded (``Strategy.can_edit``; ``Partnership.can_edit`` says who the people are)."""
        return self.objective.strategy.can_edit(user)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return is_overdue(self.due_date, self.status, today or datetime.date.today())

    def clean(self):
        errors = {}
        if self.theme_id and self.objective_id and self.theme.priority_id != self.objective.priority_id:
            errors["theme"] = "Choose a common theme of this objective's priority."
        if self.is_closed and not self.closure_note.strip():
            errors["closure_note"] = "Say why the deliverable was completed or dropped."
        if errors:
            raise ValidationError(errors)


# --- Horizon scanning --------------------------------------------------------------------------


class HorizonItemQuerySet(models.QuerySet):
    def current(self):
        """What is still ahead or in force: not withdrawn or superseded."""
        return self.exclude(status__in=[HorizonItem.Status.WITHDRAWN])

    def for_register(self):
        return self.prefetch_related("priorities", "partnerships").order_by("expected_on", "title")


class HorizonItem(models.Model):
    """A new or expected strategy, law, guidance or tool that will affect community safety."""

    class Kind(models.TextChoices):
        LEGISLATION = "law", "Legislation"
        STRATEGY = "strategy", "Government strategy or plan"
        GUIDANCE = "guidance", "Guidance"
        TOOL = "tool", "Tool or system"
        ORGANISATION = "organisation", "Change to organisations"
        FUNDING = "funding", "Funding"

    class Status(models.TextChoices):
        EXPECTED = "expected", "Expected"
        CONSULTATION = "consultation", "Out for consultation"
        PUBLISHED = "published", "Published or in force"
        WITHDRAWN = "withdrawn", "Withdrawn or dropped"

    class Impact(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.STRATEGY)
    body = models.CharField("issued by", max_length=200, help_text="e.g. Home Office, Ministry of Justice")
    expected_on = models.DateField(
        "expected date",
        null=True,
        blank=True,
        validators=[validate_plausible_date],
    )
    expected_when = models.CharField(
        "expected (in words)",
        max_length=60,
        blank=True,
        help_text="When a date is not known, e.g. 'autumn 2011'.",
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.EXPECTED)
    impact = models.CharField("expected impact", max_length=8, choices=Impact.choices, default=Impact.MEDIUM)
    impact_note = models.TextField("how it will affect community safety", blank=True)
    priorities = models.ManyToManyField(Priority, blank=True, related_name="horizon_items")
    partnerships = models.ManyToManyField(
        Partnership,
        blank=True,
        related_name="horizon_items",
        help_text="Leave empty when it affects them all.",
    )
    link = models.URLField(blank=True, max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HorizonItemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[priorities, partnerships])

    class Meta:
        ordering = ["expected_on", "title"]
        verbose_name = "horizon-scanning item"
        constraints = [
            models.UniqueConstraint(
                fields=["title", "body"],
                name="horizonitem_unique_title",
                violation_error_message="That item is already on the register.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def when(self) -> str:
        if self.expected_when:
            return self.expected_when
        return self.expected_on.strftime("%B %Y") if self.expected_on else "Not known"


class StrategyRefresh(models.Model):
    """The record of an annual refresh: which year, which framework, how old priorities were mapped."""

    first_year = models.PositiveIntegerField()
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="refreshes")
    priority_mapping = models.JSONField(default=dict, help_text="old priority id -> new priority id, or null")
    strategies = models.ManyToManyField(Strategy, related_name="refreshes")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        if self.first_year is None or self.created_at is None:
            return "Annual refresh"
        return f"Refresh into {periods.strategy_span_label(self.first_year)} on {self.created_at:%d %b %Y}"
