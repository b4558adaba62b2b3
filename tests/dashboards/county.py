"""A county for counting queries, grown one dimension at a time: partnerships, quarters, measures,
deliverables and history (edits of deliverables and of their quarterly updates, review events).

Every partnership has the same shape, so growing one dimension grows it everywhere: a page whose
query count changes when only that dimension grew runs a query per row of it.
"""

import datetime
from itertools import cycle

from measures.models import Period, SeriesBreak, Target
from partnerships.models import Membership
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent
from strategies.models import Deliverable, HorizonItem, Strategy
from tests import factories

RAGS = ["red", "amber", "green"]


def quarter(year, q):
    return Period.objects.financial_quarter(year, q)


def quarter_before(period):
    day_before = period.start - datetime.timedelta(days=1)
    year = day_before.year if day_before.month >= 4 else day_before.year - 1
    return quarter(year, (day_before.month - 4) % 12 // 3 + 1)


class County:
    def __init__(self):
        self.framework = factories.FrameworkFactory()
        self.priorities = [factories.PriorityFactory(framework=self.framework, number=n) for n in (1, 2, 3)]
        self.themes = {
            p.pk: [factories.CommonThemeFactory(priority=p) for _ in range(2)] for p in self.priorities
        }
        # 2012/13 Q1 is final (every partnership signed it off): the pages' default quarter. Q2 is open.
        self.final = ReportingQuarter.objects.create(
            period=quarter(2012, 1), opens_on=datetime.date(2012, 7, 1), status="closed"
        )
        self.open = ReportingQuarter.objects.create(
            period=quarter(2012, 2), opens_on=datetime.date(2012, 10, 1), status="open"
        )
        self.reporting = [self.final, self.open]
        self.figure_periods = [quarter(2012, 1), quarter(2012, 2)]
        self.measures = []
        self.partnerships = []
        self.per_objective = 1
        self.edits = 0
        self.scrutiny = factories.UserFactory(username="scrutiny", is_scrutiny_member=True)
        self.admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
        self.no_role = factories.UserFactory(username="no-role")
        self.horizon = HorizonItem.objects.create(
            title="Crime Strategy", body="Home Office", impact="high", expected_on=datetime.date(2013, 1, 1)
        )
        self.horizon.priorities.set(self.priorities)
        self.add_quarters(1)  # 2011/12 Q4, signed off: the quarter before the default one
        self.add_measure()
        self.add_partnership()
        self.add_partnership()
        self.add_history(1)  # every deliverable's owner and theme changed once (see the deliverable page)

    # --- the first partnership's things, which the pages are opened on -----------------------------

    @property
    def first(self):
        return self.partnerships[0]

    @property
    def officer(self):
        return self.first["officer"]

    @property
    def lead(self):
        return self.first["lead"]

    @property
    def deliverable(self):
        return self.first["deliverables"][0]

    # --- growing -------------------------------------------------------------------------------------

    def add_partnership(self):
        n = len(self.partnerships)
        partnership = factories.PartnershipFactory(name=f"Partnership {n:03d}", slug=f"partnership-{n}")
        area = factories.AreaFactory()
        factories.AreaCodeFactory(area=area)
        factories.PartnershipAreaFactory(partnership=partnership, area=area)
        strategy = factories.StrategyFactory(partnership=partnership, framework=self.framework)
        officer = factories.UserFactory()
        lead = factories.UserFactory()
        factories.MembershipFactory(user=officer, partnership=partnership)
        factories.MembershipFactory(user=lead, partnership=partnership, role=Membership.Role.LEAD)
        self.horizon.partnerships.add(partnership)
        item = HorizonItem.objects.create(title=f"Local plan {n}", body="District council", impact="medium")
        item.partnerships.add(partnership)
        item.priorities.add(self.priorities[n % 3])
        entry = {
            "partnership": partnership,
            "area": area,
            "strategy": strategy,
            "officer": officer,
            "lead": lead,
            "objectives": [
                factories.ObjectiveFactory(strategy=strategy, priority=p, order=p.number)
                for p in self.priorities
            ],
            "deliverables": [],
        }
        self.partnerships.append(entry)
        for reporting in self.reporting:
            self._add_review(entry, reporting)
        for objective in entry["objectives"]:
            for _ in range(self.per_objective):
                self._add_deliverable(entry, objective)
        for measure in self.measures:
            self._add_measure_figures(measure, entry)
        for _ in range(self.edits):
            self._edit_partnership(entry)

    def add_partnerships(self, n):
        for _ in range(n):
            self.add_partnership()

    def add_quarters(self, n):
        """n earlier reporting quarters (signed off by everyone) with updates and figures, and n earlier
        quarters with figures only (history for the charts)."""
        for _ in range(n):
            earliest = min((r.period for r in self.reporting), key=lambda p: p.end)
            period = quarter_before(earliest)
            reporting = ReportingQuarter.objects.create(
                period=period, opens_on=period.end + datetime.timedelta(days=1), status="closed"
            )
            self.reporting.append(reporting)
            for entry in self.partnerships:
                self._add_review(entry, reporting)
            if period in self.figure_periods:
                continue
            self.figure_periods.append(period)
            for measure in self.measures:
                for entry in self.partnerships:
                    self._add_figure(measure, entry, period)
        for _ in range(n):
            earliest = min(self.figure_periods, key=lambda p: p.end)
            period = quarter_before(earliest)
            self.figure_periods.append(period)
            for measure in self.measures:
                for entry in self.partnerships:
                    self._add_figure(measure, entry, period)

    def add_measure(self):
        measure = factories.MeasureFactory(order=len(self.measures))
        measure.priorities.add(*self.priorities)
        factories.MeasureComponentFactory(measure=measure)
        SeriesBreak.objects.create(measure=measure, starts_on=datetime.date(2009, 4, 1), note="New rules")
        self.measures.append(measure)
        for entry in self.partnerships:
            self._add_measure_figures(measure, entry)

    def add_measures(self, n):
        for _ in range(n):
            self.add_measure()

    def add_deliverables(self, n):
        """n more deliverables in every objective of every partnership, updated in every quarter."""
        self.per_objective += n
        for entry in self.partnerships:
            for objective in entry["objectives"]:
                for _ in range(n):
                    self._add_deliverable(entry, objective)

    def add_history(self, n):
        """n more edits of every deliverable and every update, and n returns of every open review."""
        self.edits += n
        for entry in self.partnerships:
            for _ in range(n):
                self._edit_partnership(entry)

    GROW = {
        "partnerships": add_partnerships,
        "quarters": add_quarters,
        "measures": add_measures,
        "deliverables": add_deliverables,
        "history": add_history,
    }

    def grow(self, dimension, n):
        self.GROW[dimension](self, n)

    # --- one partnership's parts -----------------------------------------------------------------------

    def _add_deliverable(self, entry, objective):
        i = len(entry["deliverables"])
        overdue = i % 2 == 0  # the first deliverable of every plan: exceptions on every page
        deliverable = factories.DeliverableFactory(
            objective=objective,
            owner=entry["officer"] if i % 2 == 0 else entry["lead"],
            theme=self.themes[objective.priority_id][i % 2],
            due_date=datetime.date(2012, 5, 1) if overdue else datetime.date(2014, 3, 31),
            status=Deliverable.Status.AT_RISK if overdue else Deliverable.Status.ON_TRACK,
        )
        entry["deliverables"].append(deliverable)
        for reporting in self.reporting:
            self._add_update(entry, deliverable, reporting)
        return deliverable

    def _add_update(self, entry, deliverable, reporting):
        rag = RAGS[(deliverable.pk + reporting.pk) % 3]
        factories.DeliverableUpdateFactory(
            deliverable=deliverable,
            quarter=reporting,
            status=deliverable.status,
            rag=rag,
            commentary=f"{rag} in {reporting}",
            updated_by=entry["officer"],
        )

    def _add_review(self, entry, reporting):
        status = QuarterlyReview.Status.SIGNED_OFF
        if reporting == self.open:
            status = QuarterlyReview.Status.IN_PROGRESS
        review = QuarterlyReview.objects.create(
            partnership=entry["partnership"], quarter=reporting, status=status
        )
        if status == QuarterlyReview.Status.SIGNED_OFF:
            ReviewEvent.objects.create(review=review, action="submitted", user=entry["officer"])
            ReviewEvent.objects.create(review=review, action="signed_off", user=entry["lead"])
        for deliverable in entry["deliverables"]:
            self._add_update(entry, deliverable, reporting)

    def _add_measure_figures(self, measure, entry):
        factories.BaselineFactory(measure=measure, partnership=entry["partnership"], value=400)
        Target.objects.create(
            measure=measure,
            partnership=entry["partnership"],
            period=Period.objects.financial_year(2013),
            value=300,
        )
        for period in self.figure_periods:
            self._add_figure(measure, entry, period)

    def _add_figure(self, measure, entry, period):
        factories.MeasureValueFactory(
            measure=measure, area=entry["area"], period=period, value=90 + (period.pk * 7) % 20
        )

    def _edit_partnership(self, entry):
        self._edit_no = getattr(self, "_edit_no", 0) + 1
        people = cycle([entry["lead"], entry["officer"]])
        for deliverable in entry["deliverables"]:
            editor = next(people)
            themes = self.themes[deliverable.objective.priority_id]
            deliverable.owner = editor
            deliverable.theme = themes[1] if deliverable.theme == themes[0] else themes[0]
            deliverable.title = f"{deliverable.title.split(' (')[0]} (edited {self._edit_no})"
            deliverable._history_user = editor
            deliverable.save()
        for update in DeliverableUpdate.objects.filter(deliverable__in=entry["deliverables"]):
            update.commentary = f"{update.commentary.split(' (')[0]} (edited {self._edit_no})"
            update.updated_by = next(people)
            update._history_user = update.updated_by
            update.save()
            if update.quarter_id == self.open.pk:
                Evidence.objects.create(
                    update=update, title="Minutes", url="https://example.org/", added_by=update.updated_by
                )
        open_review = QuarterlyReview.objects.get(partnership=entry["partnership"], quarter=self.open)
        ReviewEvent.objects.create(review=open_review, action="submitted", user=entry["officer"])
        ReviewEvent.objects.create(review=open_review, action="returned", user=entry["lead"], comment="Again")


def strategy_of(county):
    return Strategy.objects.get(pk=county.first["strategy"].pk)
