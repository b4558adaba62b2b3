"""Measures of success, reporting periods, baselines, targets and the values police files report."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from measures import periods
from partnerships.models import Area, Partnership

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
    start = models.DateField()
    end = models.DateField()
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
    priorities = models.ManyToManyField("strategies.Priority", related_name="measures", blank=True)
    order = models.PositiveIntegerField(default=0)

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
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("measures:detail", args=[self.slug])

    @property
    def is_additive(self) -> bool:
        return self.aggregation == self.Aggregation.SUM

    @property
    def higher_is_better(self) -> bool:
        return self.desired_direction == self.Direction.UP

    def format_value(self, value: Decimal | None) -> str:
        if value is None:
            return "–"
        if self.unit == self.Unit.PERCENT:
            return f"{value:.1f}%"
        if self.unit == self.Unit.RATE:
            return f"{value:.2f}"
        return f"{value:,.0f}"


class MeasureComponent(models.Model):
    """An offence line or indicator that adds into a measure: acquisitive crime = burglary + robbery + ..."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="components")
    label = models.CharField(max_length=160, help_text="As police and ONS files name it, e.g. 'Burglary'.")

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


class MeasureValue(models.Model):
    """One figure: a measure for an area in a period, and where it came from."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="measure_values")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="measure_values")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=200, blank=True)
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
