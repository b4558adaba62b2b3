"""Measures of success, reporting periods, baselines, targets and the values police files report."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.urls import reverse
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

from measures import periods
from partnerships.dates import validate_plausible_date
from partnerships.models import Area, AreaPopulation, AuditEvent, Partnership, PartnershipArea

BASELINE_YEAR = 2010  # the 2010/11 financial year


class PeriodQuerySet(models.QuerySet):
    def quarters(self):
        return self.filter(kind=Period.Kind.QUARTER)

    def financial_quarter(self, first_year: int, quarter: int) -> "Period":
        """The period row for a financial-year quarter, created on first use."""
        start, end = periods.quarter_bounds(first_year, quarter)
        return self._get_or_create(Period.Kind.QUARTER, start, end)

    def financial_year(self, first_year: int) -> "Period":
        start, end = periods.financial_year_bounds(first_year)
        return self._get_or_create(Period.Kind.YEAR, start, end)

    def rolling_year_to(self, end: datetime.date) -> "Period":
        """The twelve months ending on ``end`` (the last day of a month)."""
        end = periods.month_end(end.year, end.month)
        start_month = end.month % 12 + 1
        start = datetime.date(end.year - (1 if end.month != 12 else 0), start_month, 1)
        return self._get_or_create(Period.Kind.ROLLING_YEAR, start, end)

    def month(self, year: int, month: int) -> "Period":
        return self._get_or_create(
            Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month)
        )

    def _get_or_create(self, kind, start, end):
        period, _ = self.get_or_create(kind=kind, start=start, end=end)
        return period


class Period(models.Model):
    """A span of time figures are reported for.

    A financial-year quarter or year, a rolling 12 months, or a calendar month.
    """

    class Kind(models.TextChoices):
        QUARTER = "quarter", "Financial-year quarter"
        YEAR = "year", "Financial year"
        ROLLING_YEAR = "rolling", "Rolling 12 months"
        MONTH = "month", "Calendar month"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateField(validators=[validate_plausible_date])
    end = models.DateField(validators=[validate_plausible_date])
    label = models.CharField(max_length=40, editable=False)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["end", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "start", "end"],
                name="period_unique_span",
                violation_error_message="That period already exists.",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="period_ends_after_it_starts",
                violation_error_message="A period must end after it starts.",
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.label = self.make_label()
        super().save(*args, **kwargs)

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError("A period must end after it starts.")
        if self.kind == self.Kind.QUARTER and self.start:
            fy, q = periods.quarter_of(self.start)
            if (self.start, self.end) != periods.quarter_bounds(fy, q):
                raise ValidationError("A financial-year quarter runs April-June, July-September, ...")
        if self.kind == self.Kind.YEAR and self.start:
            if (self.start, self.end) != periods.financial_year_bounds(periods.financial_year_of(self.start)):
                raise ValidationError("A financial year runs from 1 April to 31 March.")

    def make_label(self) -> str:
        if self.kind == self.Kind.QUARTER:
            fy, q = periods.quarter_of(self.start)
            return f"{periods.financial_year_label(fy)} Q{q}"
        if self.kind == self.Kind.YEAR:
            return periods.financial_year_label(periods.financial_year_of(self.start))
        if self.kind == self.Kind.ROLLING_YEAR:
            return f"12 months to {self.end:%b %Y}"
        return f"{self.start:%B %Y}"

    @property
    def financial_year(self) -> int:
        return periods.financial_year_of(self.start)

    @property
    def slug(self) -> str:
        """For addresses people can read: 2011/12 Q3 -> "2011-12-q3"."""
        return self.label.replace("/", "-").replace(" ", "-").lower()

    def same_period_a_year_earlier(self) -> tuple[str, datetime.date, datetime.date]:
        """(kind, start, end) of the matching period one year before."""
        return (self.kind, _year_before(self.start), _year_before(self.end))


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class MeasureQuerySet(models.QuerySet):
    def for_list(self):
        return self.prefetch_related("priorities", "components")

    def with_figures_version(self):
        """Each measure with ``figures_version``: what the figures behind a judgement stood at when read, in
        the same query (``measures.figures.summaries`` keeps judgements per version).

        It is the latest audit-trail entry for a record a judgement reads (every saved change to a measure,
        series break, baseline, target, import batch, area, area covered or area population makes one, in
        the same transaction: an import and its rollback through the batch), with the latest figure's id
        (figures written in bulk outside an import, as the demo loader does). Changes to plans and reviews
        leave it alone. One index probe each (``auditevent_model_latest``)."""
        latest = [
            Coalesce(
                Subquery(
                    AuditEvent.objects.filter(model=capfirst(model._meta.verbose_name))
                    .order_by("-pk")
                    .values("pk")[:1]
                ),
                Value(0),
            )
            for model in (
                Measure,
                SeriesBreak,
                Baseline,
                Target,
                ImportBatch,
                Area,
                PartnershipArea,
                AreaPopulation,
            )
        ]
        latest_value = Coalesce(Subquery(MeasureValue.objects.order_by("-pk").values("pk")[:1]), Value(0))
        return self.annotate(
            figures_version=Concat(
                Cast(Greatest(*latest), models.CharField()),
                Value("/"),
                Cast(latest_value, models.CharField()),
                output_field=models.CharField(),
            )
        )


PER_1000 = "per 1,000 residents"


class Measure(models.Model):
    """An outcome indicator that partnerships are judged by, e.g. "Acquisitive crime"."""

    class Unit(models.TextChoices):
        COUNT = "count", "Number"
        RATE = "rate_1000", "Rate per 1,000 population"
        PERCENT = "percent", "Percentage"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    class Aggregation(models.TextChoices):
        SUM = "sum", "Add the areas' figures"
        POPULATION_WEIGHTED = "weighted", "Average the areas' figures weighted by population"

    name = models.CharField(max_length=160, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    definition = models.TextField(blank=True, help_text="What is counted, in plain English.")
    unit = models.CharField(max_length=12, choices=Unit.choices, default=Unit.COUNT)
    desired_direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.DOWN)
    aggregation = models.CharField(
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text="How a partnership's figure is made from the figures of the areas it covers.",
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="e.g. Thames Valley Police recorded crime"
    )
    show_per_1000 = models.BooleanField(
        "show per 1,000 residents",
        default=False,
        help_text=(
            "Show this count as a rate per 1,000 residents, from the areas' mid-year populations "
            "(Areas → populations, or the population import)."
        ),
    )
    order = models.PositiveIntegerField(default=0)
    # The latest series break, kept here by SeriesBreak so every dashboard knows it without a query.
    break_on = models.DateField("latest series break", null=True, blank=True, editable=False)
    break_note = models.CharField(max_length=300, blank=True, editable=False)

    objects = MeasureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit="count") | Q(aggregation="weighted"),
                name="measure_only_counts_are_summed",
                violation_error_message=(
                    "Only counts are added up across areas; rates and percentages are averaged by population."
                ),
            ),
            models.CheckConstraint(
                condition=Q(show_per_1000=False) | Q(unit="count", aggregation="sum"),
                name="measure_only_counts_per_1000",
                violation_error_message="Only a count can be shown per 1,000 residents.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dashboards:measure", args=[self.slug])

    @property
    def is_additive(self) -> bool:
        return self.aggregation == self.Aggregation.SUM

    @property
    def higher_is_better(self) -> bool:
        return self.desired_direction == self.Direction.UP

    @property
    def display_unit(self) -> str:
        """The unit the pages state beside the figures."""
        return PER_1000 if self.show_per_1000 else self.get_unit_display()

    def format_value(self, value: Decimal | None) -> str:
        if value is None:
            return "–"
        if self.show_per_1000:
            return f"{value:.2f} per 1,000"
        if self.unit == self.Unit.PERCENT:
            return f"{value:.1f}%"
        if self.unit == self.Unit.RATE:
            return f"{value:.2f}"
        return f"{value:,.0f}"


# Note markers the ONS and the Home Office have used: "[note 2]", "[z]", "(note 3)", superscript digits,
# daggers and asterisks, and footnote digits stuck to the end of a word ("Shoplifting5",
# "Violence against the person4", "Theft offences1,2").
NOTE_MARKERS = re.compile(
    r"\[[^\]]*\]|\(\s*notes?\s*[\d, and]+\)|[\u00b9\u00b2\u00b3\u2070-\u2079*\u2020\u2021]+"
    r"|(?<=[a-z)])\d{1,2}(?:\s*,\s*\d{1,2})*(?=\s|$|[:;,.)])",
    re.IGNORECASE,
)


def strip_note_markers(text) -> str:
    """A heading or label without its note markers: "Shoplifting5", "Shoplifting [note 2]" → "Shoplifting"."""
    return NOTE_MARKERS.sub(" ", str(text if text is not None else ""))


def normalise_label(label: str) -> str:
    """Fold the ways files spell one offence line: case, line breaks, spaces, '&', hyphens, note markers.

    "Criminal damage\nand arson [note 2]", "Criminal damage and arson3" and "criminal damage & arson"
    all give "criminal damage and arson".
    """
    text = strip_note_markers(label).lower().replace("&", " and ").replace("\u2013", "-")
    return " ".join(text.split())


class SeriesBreak(models.Model):
    """The day a measure's figures changed meaning (new recording rules, a split offence group).

    Figures before and after a break are not compared without saying so: the direction of travel
    is judged on the quarters after the latest break, and charts mark it.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="breaks")
    starts_on = models.DateField(
        "figures change meaning from",
        help_text="The first day counted the new way.",
        validators=[validate_plausible_date],
    )
    note = models.CharField(
        max_length=300, help_text="e.g. 'Crime recording standards tightened after the 2014 inspection'."
    )
    created_by = models.ForeignKey(
        "partnerships.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "starts_on"],
                name="seriesbreak_one_per_day",
                violation_error_message="This measure already has a series break on that day.",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: series break from {self.starts_on:%d %B %Y}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        sync_latest_break(self.measure_id)

    def delete(self, *args, **kwargs):
        measure_id = self.measure_id
        result = super().delete(*args, **kwargs)
        sync_latest_break(measure_id)
        return result


def sync_latest_break(measure_id: int) -> None:
    latest = SeriesBreak.objects.filter(measure_id=measure_id).order_by("-starts_on").first()
    Measure.objects.filter(pk=measure_id).update(
        break_on=latest.starts_on if latest else None, break_note=latest.note if latest else ""
    )


class BaselineChange(models.Model):
    """A re-baselining, kept with its reason: what the baseline was, what it became, who and why."""

    baseline = models.ForeignKey("Baseline", on_delete=models.CASCADE, related_name="changes")
    old_value = models.DecimalField(max_digits=14, decimal_places=4)
    new_value = models.DecimalField(max_digits=14, decimal_places=4)
    old_period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    new_period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    changed_by = models.ForeignKey(
        "partnerships.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self):
        return f"Re-baselined {self.old_value} → {self.new_value}: {self.reason[:60]}"


# Offence headings can be long: ONS tables put a whole definition in one ("Number of offences of
# cyber-enabled harassment recorded by the police in the twelve months, including ..."), and a heading
# that cannot be stored can never be mapped or marked not used. 600 characters take any heading seen,
# and keep a unique index entry under PostgreSQL's btree limit (about 2,700 bytes) even at 4 bytes a
# character.
LABEL_MAX_LENGTH = 600


class MeasureComponentQuerySet(models.QuerySet):
    def for_mappings(self):
        return self.select_related("measure").order_by("measure__order", "measure__name", "label")


class MeasureComponent(models.Model):
    """An offence line or indicator that adds into a measure: acquisitive crime = burglary + robbery + ..."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="components")
    label = models.CharField(
        max_length=LABEL_MAX_LENGTH, help_text="As police and ONS files name it, e.g. 'Burglary'."
    )

    objects = MeasureComponentQuerySet.as_manager()

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "label"],
                name="measurecomponent_unique_label",
                violation_error_message="This measure already adds up that line.",
            ),
        ]

    def __str__(self):
        return self.label


class IgnoredLabel(models.Model):
    """An offence line or crime type that files report and no measure uses (e.g. "Total recorded crime").

    Importing a file skips these lines; a line that is neither mapped to a measure nor ignored is an
    error, so a new or misspelt line is never dropped without anyone deciding.
    """

    label = models.CharField(max_length=LABEL_MAX_LENGTH)
    normalised = models.CharField(max_length=LABEL_MAX_LENGTH, unique=True, editable=False)

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.normalised = normalise_label(self.label)
        super().save(*args, **kwargs)


class Baseline(models.Model):
    """A partnership's starting figure for a measure: by default its 2010/11 value."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="baselines")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="baselines")
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", blank=True, help_text="Leave blank for 2010/11."
    )
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "partnership"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "partnership"],
                name="baseline_one_per_measure_partnership",
                violation_error_message="This partnership already has a baseline for this measure.",
            ),
        ]

    def __str__(self):
        return f"{self.measure} baseline for {self.partnership}: {self.value} ({self.period})"

    def save(self, *args, **kwargs):
        if self.period_id is None:  # the 2010/11 financial year unless another is given
            self.period = Period.objects.financial_year(BASELINE_YEAR)
        super().save(*args, **kwargs)


class Target(models.Model):
    """An optional figure a partnership aims to reach by the end of a period."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "partnership", "period__end"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "partnership", "period"],
                name="target_one_per_measure_partnership_period",
                violation_error_message="This partnership already has a target for this measure and period.",
            ),
        ]

    def __str__(self):
        return f"{self.measure} target for {self.partnership}: {self.value} by {self.period}"


class MeasureValueQuerySet(models.QuerySet):
    def for_areas(self, area_ids, measure_ids=None, period_ids=None):
        qs = self.filter(area_id__in=area_ids)
        if measure_ids is not None:
            qs = qs.filter(measure_id__in=measure_ids)
        if period_ids is not None:
            qs = qs.filter(period_id__in=period_ids)
        return qs

    def as_stored(self):
        """The values with what a download names them by, in the order a person reads them: measure,
        area, then each kind of period oldest first."""
        return self.select_related("measure", "area", "period").order_by(
            "measure__order", "measure__name", "area__name", "period__kind", "period__end", "period__start"
        )


class MeasureValue(models.Model):
    """One figure: a measure for an area in a period, and where it came from.

    On PostgreSQL its references (measure, area, period, batch) are checked once per statement, not
    per row (migration 0011): an import writes hundreds of thousands of rows in one statement.
    """

    # No index of its own on measure: the unique (measure, area, period) and the (measure, period) index
    # both start with it, and every write of an import would keep a third copy up to date.
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values", db_index=False)
    # Nor on area (migration 0010): the pages' queries by area name the measure too; a partnership's
    # figures-as-stored download and the admin's check before deleting an area scan instead.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="measure_values", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="measure_values")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=200, blank=True)
    # Not checked by the database row by row (migration 0010): imports write the batch they run as, and
    # Django empties the field when a batch is deleted. Nor indexed (migration 0015): every changed cell
    # of an import changes it, and with an index on it no update of a cell could be made in place
    # (PostgreSQL's heap-only update, with room left on each page for it): a national re-import spent
    # most of its time writing index entries. Only a rollback and deleting a batch look cells up by
    # their batch, and scan the table instead.
    batch = models.ForeignKey(
        "ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="values",
        help_text="The import that last wrote this value.",
        db_constraint=False,
        db_index=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    # No per-row history: imports write values in bulk and keep their own batch record.
    objects = MeasureValueQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "area", "period__end"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "area", "period"],
                name="measurevalue_one_per_cell",
                violation_error_message="There is already a value for this measure, area and period.",
            ),
        ]
        indexes = [models.Index(fields=["measure", "period"], name="measurevalue_measure_period")]

    def __str__(self):
        return f"{self.measure}, {self.area}, {self.period}: {self.value}"


class ImportBatchQuerySet(models.QuerySet):
    def for_list(self):
        """The imports page: who imported, without the (large) summary."""
        return self.select_related("created_by").defer("summary").order_by("-created_at", "-pk")


class ImportBatch(models.Model):
    """One spreadsheet read (and perhaps imported): who, when, which file, what it did, how to undo it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be read"
        PREVIEWING = "previewing", "Reading"
        PREVIEWED = "previewed", "Previewed"
        APPLYING = "applying", "Importing"
        APPLIED = "applied", "Imported"
        ROLLED_BACK = "rolled_back", "Rolled back"
        FAILED = "failed", "Cannot be imported"

    class Layout(models.TextChoices):
        TEMPLATE = "template", "Our long template"
        WIDE = "wide", "Wide table by area (ONS / Home Office)"
        STREET = "street", "data.police.uk street-level crimes"
        LONG = "long", "Long open-data table"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Uploaded files are kept in MEDIA_ROOT, which nothing serves: only the importer reads them.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the file.")
    layout_requested = models.CharField(max_length=10, choices=Layout.choices, blank=True)
    layout = models.CharField(max_length=10, choices=Layout.choices, blank=True)
    sheet = models.CharField(max_length=120, blank=True)
    period_text = models.CharField(
        "period", max_length=60, blank=True, help_text="The period the file covers, when it does not say."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    rows_read = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, for background work.")
    progress_note = models.CharField(max_length=120, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["summary", "progress", "progress_note"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"Import #{self.pk}: {self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("measures:import_batch", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.PREVIEWING, self.Status.APPLYING)

    def can_apply(self) -> bool:
        return self.status == self.Status.PREVIEWED and self.error_count == 0

    def shows_reading(self, preview: str) -> bool:
        """Whether ``preview`` (sent back by the page that was confirmed) names the reading of the file
        this batch holds now: each preview is named (``summary["preview"]``)."""
        return bool(preview) and (self.summary or {}).get("preview") == preview

    def can_rollback(self) -> bool:
        return self.status == self.Status.APPLIED

    def cannot_apply_reason(self) -> str:
        """Why the batch cannot be imported now, in the words its state calls for."""
        if self.waiting_for_answer:
            return (
                "This import cannot be applied yet: first answer the question on this page (which sheet, "
                "which period)."
            )
        if self.status in (self.Status.APPLIED, self.Status.APPLYING):
            return "This import has already been applied."
        if self.status == self.Status.ROLLED_BACK:
            return "This import was rolled back: upload the file again to import it."
        if self.is_running:
            return "This file is still being read: wait for its preview."
        return "This import cannot be applied: it has errors. Put them right in the file and upload it again."

    @property
    def waiting_for_answer(self) -> bool:
        """The file can be read once the person answers a question (which sheet, which period)."""
        return self.status == self.Status.FAILED and bool((self.summary or {}).get("needs"))

    @property
    def status_label(self) -> str:
        """The status in plain words, the same on every page and on the command line."""
        return "Waiting for your answer" if self.waiting_for_answer else self.get_status_display()

    def needs_confirmation(self) -> bool:
        """Its preview flagged figures far outside their areas' history, or part sums (a measure given
        only some of its lines): importing needs a yes."""
        summary = self.summary or {}
        return bool(summary.get("flagged_count") or summary.get("incomplete"))

    def confirmation_refusal(self) -> str:
        summary = self.summary or {}
        n = summary.get("flagged_count", 0)
        parts = []
        if n:
            parts.append(
                f"{n} figure{'s' if n != 1 else ''} far outside the area's own history "
                f"{'are' if n != 1 else 'is'} flagged"
            )
        if summary.get("incomplete"):
            parts.append("some measures would be part sums of their lines")
        return f"{' and '.join(parts).capitalize()}: tick “These figures are right” to import them."


class ImportChange(models.Model):
    """What one cell held before a batch changed it, so the batch can be rolled back.

    Only cells whose value the batch *changed* get a row; a cell the batch created is
    recognised at rollback by holding the batch's mark with no row here, and unchanged
    cells are not written at all. On PostgreSQL its references are checked once per
    statement, as the values table's are (migration 0011).
    """

    # No index of its own on batch: the unique (batch, measure, area, period) starts with it, and serves
    # the rollback's and a batch deletion's lookups by batch.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes", db_index=False)
    # Nor on the others (migration 0012): an import that changes 720,000 figures writes as many rows
    # here, and an index each made that four more writes a row. They served only deleting a measure,
    # an area, a period or a batch, which scan this table instead (rare, and done in the admin).
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+", db_index=False)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    previous_value = models.DecimalField(max_digits=14, decimal_places=4)
    previous_source = models.CharField(max_length=200, blank=True)
    previous_batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "measure", "area", "period"], name="importchange_one_per_cell"
            ),
        ]

    def __str__(self):
        cell = f"{self.measure_id}/{self.area_id}/{self.period_id}"
        return f"Import #{self.batch_id}: cell {cell} was {self.previous_value}"


# What a judgement reads besides the figures themselves (MeasureQuerySet.with_figures_version).
JUDGED_FROM = (Measure, SeriesBreak, Baseline, Target, ImportBatch, Area, PartnershipArea, AreaPopulation)
