"""Load the Oxfordshire demo: the seed's partnerships, framework, strategies and measures, plus figures.

The fixtures hold what the seed (Oxfordshire's 2011-14 strategies, July 2011) says. The quarterly
figures are made up here, deterministically, and every one is labelled as illustrative: the seed
gives no numbers. Running the command again gives the same database (fixtures load by primary key;
figures, baselines and targets are upserted on their natural keys).
"""

import math
import random
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from measures.models import BASELINE_YEAR, Baseline, Measure, MeasureValue, Period, Target
from partnerships.models import Area, Membership, Merger, Partnership, User
from strategies.models import Deliverable, Framework, HorizonItem, Objective, Priority, Strategy

FIXTURES = (
    "demo_users",
    "oxfordshire",
    "import_mappings",
    "horizon_2011",
)  # users first: deliverables name their owners
DEMO_PASSWORD = "safer-communities"
DEMO_USERNAMES = (
    "admin",
    "scrutiny.chair",
    "scrutiny.member",
    "cherwell.officer",
    "cherwell.lead",
    "oxford.officer",
    "oxford.lead",
    "west.officer",
    "west.lead",
    "southvale.officer",
    "southvale.lead",
)
DEMO_PARTNERSHIP_SLUGS = (
    "cherwell",
    "oxford",
    "west-oxfordshire",
    "south-and-vale",
    "south-oxfordshire",
    "vale-of-white-horse",
)
DEMO_AREA_SLUGS = ("cherwell", "oxford", "south-oxfordshire", "vale-of-white-horse", "west-oxfordshire")
ILLUSTRATIVE = "Illustrative demo figure (not real data)"
# Quarters from 2008/09 Q1 (history before the baseline year, for the charts) to 2011/12 Q4: the
# demo shows the partnerships after the first year of their 2011-14 strategies, ready for the
# first annual refresh; deliverable statuses in the fixture are as at 31 March 2012.
FIRST_YEAR, LAST_YEAR = 2008, 2011
TARGET_YEAR = 2013

# How each district compares with a typical one, per kind of measure: Oxford has the county's
# busiest centre, the rural districts have less crime but more of the road casualties.
AREA_FACTORS = {
    "crime": {
        "cherwell": 1.05,
        "oxford": 1.55,
        "south-oxfordshire": 0.72,
        "vale-of-white-horse": 0.78,
        "west-oxfordshire": 0.66,
    },
    "urban": {
        "cherwell": 1.1,
        "oxford": 2.0,
        "south-oxfordshire": 0.7,
        "vale-of-white-horse": 0.75,
        "west-oxfordshire": 0.65,
    },
    "roads": {
        "cherwell": 1.1,
        "oxford": 0.6,
        "south-oxfordshire": 1.2,
        "vale-of-white-horse": 1.1,
        "west-oxfordshire": 1.25,
    },
    "flat": {},
}
# Percentage points above or below the county level, per district.
AREA_OFFSETS = {
    "confidence-in-agencies": {
        "cherwell": -1.0,
        "oxford": -3.0,
        "south-oxfordshire": 3.0,
        "vale-of-white-horse": 2.0,
        "west-oxfordshire": 4.0,
    },
    "reoffending": {
        "cherwell": 1.0,
        "oxford": 2.5,
        "south-oxfordshire": -1.5,
        "vale-of-white-horse": -1.0,
        "west-oxfordshire": -2.0,
    },
}
FLAT = (1.0, 1.0, 1.0, 1.0)
SUMMER = (1.04, 1.12, 0.97, 0.87)  # Q1 April-June ... Q4 January-March
DARK_NIGHTS = (0.95, 0.98, 1.08, 0.99)

# slug: (2010/11 level, yearly trend in the desired direction, noise, seasonality, area factors).
# Counts: level per 1,000 residents per quarter, trend a fraction per year, noise a fraction.
# Percentages: level in percent, trend and noise in percentage points.
PROFILES = {
    "cctv-arrests": (0.25, 0.06, 0.08, SUMMER, "urban"),
    "repeat-town-centre-disorder-offenders": (0.06, 0.08, 0.1, SUMMER, "urban"),
    "confidence-in-agencies": (52.0, 1.5, 1.8, FLAT, "flat"),
    "acquisitive-crime": (5.5, 0.05, 0.05, DARK_NIGHTS, "crime"),
    "violent-crime": (2.1, 0.03, 0.05, SUMMER, "crime"),
    "environmental-crime": (1.6, 0.04, 0.08, SUMMER, "flat"),
    "youth-first-time-entrants": (0.11, 0.12, 0.1, FLAT, "crime"),
    "reoffending": (27.0, 0.6, 1.5, FLAT, "flat"),
    "anti-social-behaviour": (8.0, 0.07, 0.05, SUMMER, "crime"),
    "hate-crime-reported": (0.12, 0.08, 0.1, FLAT, "crime"),
    "repeat-victims-domestic-abuse": (0.09, 0.05, 0.1, FLAT, "crime"),
    "domestic-abuse-reported": (2.4, 0.04, 0.05, (1.0, 1.05, 1.05, 0.9), "crime"),
    "domestic-abuse-champions-support": (0.1, 0.2, 0.1, FLAT, "flat"),
    "domestic-abuse-outreach-referrals": (0.14, 0.1, 0.1, FLAT, "flat"),
    "restorative-interventions": (0.12, 0.25, 0.1, FLAT, "flat"),
    "effective-drug-treatment": (0.55, 0.04, 0.06, FLAT, "urban"),
    "needle-exchange": (0.09, 0.05, 0.1, FLAT, "urban"),
    "adults-killed-seriously-injured": (0.11, 0.05, 0.1, (1.0, 1.08, 1.02, 0.9), "roads"),
    "children-killed-seriously-injured": (0.012, 0.05, 0.1, (1.0, 1.08, 1.02, 0.9), "roads"),
    "test-purchasing-operations": (0.03, 0.1, 0.1, (0.9, 1.0, 1.2, 0.9), "flat"),
    "criminal-damage": (2.6, 0.06, 0.05, SUMMER, "crime"),
}
# Targets for 2013/14, as a change on the 2010/11 baseline: ("ratio", x) or ("points", +/-x).
TARGET_PARTNERSHIPS = ("south-and-vale", "oxford")
TARGETS = {
    "acquisitive-crime": ("ratio", "0.90"),
    "anti-social-behaviour": ("ratio", "0.90"),
    "hate-crime-reported": ("ratio", "1.15"),
    "domestic-abuse-reported": ("ratio", "1.10"),
    "confidence-in-agencies": ("points", "5"),
    "reoffending": ("points", "-2"),
}
WHOLE = Decimal("1")
HUNDREDTH = Decimal("0.01")


class Command(BaseCommand):
    help = (
        "Load the Oxfordshire demo (partnerships, 2011-14 strategies, measures, demo users) and "
        "illustrative quarterly figures. Safe to run again: it gives the same database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though the database holds users or partnerships that are not part of the demo "
            "(the demo overwrites rows with the same ids).",
        )

    def handle(self, *args, force=False, verbosity=1, **options):
        if not force:
            self._refuse_to_overwrite_real_data()
        fixtures_dir = settings.BASE_DIR / "fixtures"
        with transaction.atomic():
            # Absolute paths, so loaddata needs no FIXTURE_DIRS setting. On PostgreSQL loaddata resets
            # the sequences of the tables it loaded, so later inserts do not collide with the fixed ids.
            call_command(
                "loaddata",
                *(str(fixtures_dir / f"{name}.json") for name in FIXTURES),
                verbosity=max(verbosity - 1, 0),
            )
            record_initial_history()
            areas = list(Area.objects.filter(slug__in=DEMO_AREA_SLUGS))
            measures = list(Measure.objects.filter(slug__in=PROFILES))
            values = self._load_values(measures, areas)
            baselines = self._load_baselines(measures)
            targets = self._load_targets(baselines)
            load_reviews()
        if verbosity:
            self._print_summary(values, len(baselines), targets)

    def _refuse_to_overwrite_real_data(self):
        others = User.objects.exclude(username__in=DEMO_USERNAMES).exists() or (
            Partnership.objects.exclude(slug__in=DEMO_PARTNERSHIP_SLUGS).exists()
        )
        if others:
            raise CommandError(
                "This database holds users or partnerships that are not part of the demo, and the demo "
                "fixtures would overwrite rows with the same ids. Use a fresh database, or --force."
            )

    def _load_values(self, measures, areas) -> int:
        """Upsert every measure x area x quarter, plus the 2010/11 year (the baseline year)."""
        quarters = [
            ((year, quarter), Period.objects.financial_quarter(year, quarter))
            for year in range(FIRST_YEAR, LAST_YEAR + 1)
            for quarter in (1, 2, 3, 4)
        ]
        baseline_year = Period.objects.financial_year(BASELINE_YEAR)
        rows = []
        for measure in measures:
            for area in areas:
                figures = illustrative_quarters(measure, area, len(quarters))
                rows += [
                    MeasureValue(measure=measure, area=area, period=period, value=value, source=ILLUSTRATIVE)
                    for (_, period), value in zip(quarters, figures, strict=True)
                ]
                first_year = [
                    v for ((year, _), _), v in zip(quarters, figures, strict=True) if year == BASELINE_YEAR
                ]
                rows.append(
                    MeasureValue(
                        measure=measure,
                        area=area,
                        period=baseline_year,
                        value=combine_quarters(measure, first_year),
                        source=ILLUSTRATIVE,
                    )
                )
        # Write only new or changed figures, so a second run changes nothing (not even updated_at).
        stored = {
            (v.measure_id, v.area_id, v.period_id): (v.value, v.source)
            for v in MeasureValue.objects.filter(measure__in=measures, area__in=areas)
        }
        changed = [
            row
            for row in rows
            if stored.get((row.measure_id, row.area_id, row.period_id)) != (row.value, row.source)
        ]
        MeasureValue.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["measure", "area", "period"],
            update_fields=["value", "source", "updated_at"],
            batch_size=500,
        )
        return len(rows)

    def _load_baselines(self, measures) -> dict:
        """Each partnership's 2010/11 figure from the areas it covers (predecessors existed then)."""
        period = Period.objects.financial_year(BASELINE_YEAR)
        year_values = {
            (v.measure_id, v.area_id): v.value
            for v in MeasureValue.objects.filter(period=period, measure__in=measures)
        }
        baselines = {}
        for partnership in Partnership.objects.filter(slug__in=DEMO_PARTNERSHIP_SLUGS):
            areas = list(Area.objects.filter(coverage__partnership=partnership).distinct().order_by("pk"))
            names = " and ".join(area.name for area in areas)
            for measure in measures:
                pairs = [(year_values[measure.pk, area.pk], area.population or 1) for area in areas]
                if measure.is_additive:
                    value = sum(v for v, _ in pairs)
                    note = f"Sum of the 2010/11 figures for {names}."
                else:
                    total = sum(w for _, w in pairs)
                    value = (sum(v * w for v, w in pairs) / total).quantize(HUNDREDTH)
                    note = f"Population-weighted average of the 2010/11 figures for {names}."
                baseline = upsert(
                    Baseline,
                    {"measure": measure, "partnership": partnership},
                    {"period_id": period.pk, "value": value, "source": ILLUSTRATIVE, "note": note},
                )
                baselines[measure.slug, partnership.slug] = baseline
        return baselines

    def _load_targets(self, baselines) -> int:
        period = Period.objects.financial_year(TARGET_YEAR)
        count = 0
        for (slug, partnership_slug), baseline in baselines.items():
            if slug not in TARGETS or partnership_slug not in TARGET_PARTNERSHIPS:
                continue
            how, change = TARGETS[slug]
            if how == "ratio":
                value = (baseline.value * Decimal(change)).quantize(WHOLE)
                wording = f"{(Decimal(change) - 1) * 100:+.0f}% on"
            else:
                value = (baseline.value + Decimal(change)).quantize(HUNDREDTH)
                wording = f"{Decimal(change):+.0f} percentage points on"
            upsert(
                Target,
                {"measure": baseline.measure, "partnership": baseline.partnership, "period": period},
                {"value": value, "note": f"Illustrative demo target: {wording} the 2010/11 baseline."},
            )
            count += 1
        return count

    def _print_summary(self, values: int, baselines: int, targets: int):
        partnerships = Partnership.objects.filter(slug__in=DEMO_PARTNERSHIP_SLUGS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the Oxfordshire demo: {partnerships.count()} partnerships "
                f"({partnerships.active().count()} active), "
                f"{Strategy.objects.filter(partnership__in=partnerships).count()} strategies, "
                f"{Deliverable.objects.filter(objective__strategy__partnership__in=partnerships).count()} "
                f"deliverables, {Measure.objects.filter(slug__in=PROFILES).count()} measures, "
                f"{values} values, {baselines} baselines, {targets} targets."
            )
        )
        self.stdout.write(
            f"Figures are illustrative, not real data. Sign in with password {DEMO_PASSWORD!r} as:"
        )
        for user in User.objects.filter(username__in=DEMO_USERNAMES).order_by("pk"):
            self.stdout.write(f"  {user.username:<18} {user.role_label}")


# Quarterly reviews: 2011/12 Q1-Q3 reviewed, signed off and closed; Q4 open for the officers now.
REVIEWED_QUARTERS = (1, 2, 3)
OPEN_QUARTER = 4
PROGRESS = {1: 20, 2: 45, 3: 70}
RAG_FOR_STATUS = {
    "not_started": "green",
    "on_track": "green",
    "at_risk": "amber",
    "off_track": "red",
    "complete": "complete",
    "dropped": "amber",
}


def demo_status(deliverable, quarter: int) -> str:
    """The deliverable's status in an earlier quarter: where it is now (Q3), reached step by step."""
    final = deliverable.status
    if quarter == 3:
        return final
    if final in ("complete", "at_risk", "off_track") and quarter == 2:
        return "on_track"
    if quarter == 1:
        return "not_started" if final == "not_started" or deliverable.pk % 3 == 0 else "on_track"
    return final if final != "dropped" else "at_risk"


def demo_commentary(deliverable, status: str, rag: str) -> str:
    agency = deliverable.lead_agency or "the lead agency"
    return {
        "not_started": f"Not started yet: {agency} plans to begin next quarter.",
        "on_track": f"Progressing to plan; {agency} reported progress at the partnership meeting.",
        "at_risk": f"Slipping: {agency} has less capacity this quarter. Recovery plan agreed; due date kept.",
        "off_track": f"Off track: a funding decision by {agency} is delayed. Escalated to the board.",
        "complete": f"Completed. {deliverable.closure_note}".strip(),
        "dropped": f"Dropped. {deliverable.closure_note}".strip(),
    }[status]


def load_reviews():
    """Reporting quarters for 2011/12 with each partnership's signed-off reviews for Q1-Q3 (idempotent)."""
    import datetime

    from reviews.models import DeliverableUpdate, QuarterlyReview, ReportingQuarter, ReviewEvent

    strategies = Strategy.objects.filter(partnership__slug__in=DEMO_PARTNERSHIP_SLUGS, first_year=2011)
    for number in (*REVIEWED_QUARTERS, OPEN_QUARTER):
        period = Period.objects.financial_quarter(2011, number)
        opens_on = period.end + datetime.timedelta(days=1)
        is_open = number == OPEN_QUARTER
        quarter, _ = ReportingQuarter.objects.get_or_create(
            period=period,
            defaults={
                "opens_on": opens_on,
                "due_on": opens_on + datetime.timedelta(days=29),
                "status": ReportingQuarter.Status.OPEN if is_open else ReportingQuarter.Status.CLOSED,
            },
        )
        if is_open:
            continue
        when = datetime.datetime.combine(
            opens_on + datetime.timedelta(days=14), datetime.time(10), datetime.UTC
        )
        for strategy in strategies.select_related("partnership"):
            partnership = strategy.partnership
            officer = User.objects.filter(
                memberships__partnership=partnership, memberships__role="officer"
            ).first()
            lead = User.objects.filter(memberships__partnership=partnership, memberships__role="lead").first()
            review, created = QuarterlyReview.objects.get_or_create(
                partnership=partnership,
                quarter=quarter,
                defaults={"status": QuarterlyReview.Status.SIGNED_OFF},
            )
            if not created:
                continue
            for deliverable in Deliverable.objects.filter(objective__strategy=strategy).order_by("pk"):
                status = demo_status(deliverable, number)
                rag = RAG_FOR_STATUS[status]
                update = DeliverableUpdate(
                    deliverable=deliverable,
                    quarter=quarter,
                    status=status,
                    rag=rag,
                    progress=100
                    if status == "complete"
                    else (0 if status == "not_started" else PROGRESS[number]),
                    commentary=demo_commentary(deliverable, status, rag),
                    updated_by=deliverable.owner or officer,
                )
                update._history_user = update.updated_by
                update.save()
            DeliverableUpdate.objects.filter(
                quarter=quarter, deliverable__objective__strategy=strategy
            ).update(updated_at=when)
            ReviewEvent.objects.bulk_create(
                [
                    ReviewEvent(review=review, action=ReviewEvent.Action.SUBMITTED, user=officer),
                    ReviewEvent(
                        review=review,
                        action=ReviewEvent.Action.SIGNED_OFF,
                        user=lead,
                        comment="Reviewed at the partnership meeting.",
                    ),
                ]
            )
            ReviewEvent.objects.filter(review=review, action=ReviewEvent.Action.SUBMITTED).update(at=when)
            ReviewEvent.objects.filter(review=review, action=ReviewEvent.Action.SIGNED_OFF).update(
                at=when + datetime.timedelta(days=7)
            )


def record_initial_history():
    """Give every loaded row a "created" history record (loaddata saves raw, which skips history),
    so each deliverable's history starts with the demo rather than with its first edit."""
    for model in (
        Partnership,
        Merger,
        Membership,
        Framework,
        Priority,
        Strategy,
        Objective,
        Deliverable,
        Measure,
        HorizonItem,
    ):
        missing = model.objects.exclude(pk__in=model.history.values("id"))
        model.history.bulk_history_create(list(missing), default_change_reason="Loaded with the demo")


def upsert(model, lookup: dict, values: dict):
    """Like ``update_or_create``, but saves only when something differs: every save of a model with
    history adds a history row, and a second run of the demo should add none."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    if any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
    return obj


def illustrative_quarters(measure, area, n: int) -> list[Decimal]:
    """``n`` made-up quarterly figures from 2008/09 Q1 for one measure and area, the same on every run.

    A level scaled by the area's population, a gentle trend in the desired direction, seasonality and
    noise: plausible enough to demonstrate direction of travel, and no more.
    """
    level, trend, noise, season, kind = PROFILES[measure.slug]
    rng = random.Random(f"{measure.slug}/{area.slug}")
    sign = 1 if measure.higher_is_better else -1
    figures = []
    for t in range(n):
        years = t / 4
        if measure.unit == Measure.Unit.COUNT:
            expected = level * (area.population or 100_000) / 1000 * AREA_FACTORS[kind].get(area.slug, 1.0)
            expected *= (1 + sign * trend) ** years * season[t % 4]
            if expected < 40:  # small numbers vary like counts of rare events
                figure = _poisson(rng, expected)
            else:
                figure = max(0, round(expected * (1 + rng.gauss(0, noise))))
            figures.append(Decimal(figure))
        else:
            offset = AREA_OFFSETS.get(measure.slug, {}).get(area.slug, 0.0)
            figure = level + offset + sign * trend * years + rng.gauss(0, noise)
            figures.append(Decimal(f"{min(max(figure, 0.0), 100.0):.1f}"))
    return figures


def combine_quarters(measure, figures: list[Decimal]) -> Decimal:
    """A year's figure from its four quarters: their sum for counts, their mean for percentages and rates."""
    if measure.is_additive:
        return sum(figures, Decimal(0))
    return (sum(figures, Decimal(0)) / len(figures)).quantize(HUNDREDTH)


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means it is used for."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
