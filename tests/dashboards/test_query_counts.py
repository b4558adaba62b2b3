"""Each page runs the same number of queries with 1 partnership as with 20.

The counts are captured at both sizes and compared, so a query inside a loop
(an N+1) fails here whatever page it is on.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Period
from partnerships.models import Membership
from reviews.models import ReportingQuarter
from strategies.models import Deliverable
from tests import factories

THEMES_PER_PRIORITY = 2


def build_county(size):
    """``size`` partnerships, each with a plan of 3 objectives x 2 deliverables, members and figures."""
    framework = factories.FrameworkFactory()
    priorities = [factories.PriorityFactory(framework=framework, number=n) for n in (1, 2, 3)]
    themes = [
        factories.CommonThemeFactory(priority=p) for p in priorities for _ in range(THEMES_PER_PRIORITY)
    ]
    measures = [factories.MeasureFactory() for _ in range(3)]
    for measure in measures:
        measure.priorities.add(*priorities)
    quarters = [Period.objects.financial_quarter(2011, q) for q in (1, 2, 3, 4)]
    reporting = ReportingQuarter.objects.get_or_create(
        period=quarters[-1], defaults={"opens_on": quarters[-1].end, "status": "open"}
    )[0]
    first = None
    for i in range(size):
        partnership = factories.PartnershipFactory()
        area = factories.AreaFactory()
        factories.AreaCodeFactory(area=area)
        factories.PartnershipAreaFactory(partnership=partnership, area=area)
        strategy = factories.StrategyFactory(partnership=partnership, framework=framework)
        officer = factories.UserFactory()
        factories.MembershipFactory(user=officer, partnership=partnership)
        factories.MembershipFactory(partnership=partnership, role=Membership.Role.LEAD)
        for priority in priorities:
            objective = factories.ObjectiveFactory(strategy=strategy, priority=priority)
            for j, status in enumerate([Deliverable.Status.ON_TRACK, Deliverable.Status.AT_RISK]):
                factories.DeliverableFactory(
                    objective=objective,
                    owner=officer,
                    status=status,
                    theme=themes[priority.number * 2 - 2 + j],
                )
        for measure in measures:
            factories.BaselineFactory(measure=measure, partnership=partnership)
            for quarter in quarters:
                factories.MeasureValueFactory(measure=measure, area=area, period=quarter, value=10 + i)
        if first is None:
            first = {
                "partnership": partnership,
                "strategy": strategy,
                "officer": officer,
                "measure": measures[0],
                "priority": priorities[0],
                "reporting": reporting,
            }
    first["deliverable"] = Deliverable.objects.filter(objective__strategy=first["strategy"]).first()
    first["scrutiny"] = factories.UserFactory(is_scrutiny_member=True)
    first["admin"] = factories.UserFactory(is_superuser=True, is_staff=True)
    return first


PAGES = {
    "home as scrutiny": ("scrutiny", lambda w: reverse("home")),
    "home as officer": ("officer", lambda w: reverse("home")),
    "home as admin": ("admin", lambda w: reverse("home")),
    "partnership list": ("scrutiny", lambda w: reverse("dashboards:partnerships")),
    "partnership detail": ("scrutiny", lambda w: w["partnership"].get_absolute_url()),
    "strategy list": ("scrutiny", lambda w: reverse("strategies:list")),
    "strategy detail": ("officer", lambda w: w["strategy"].get_absolute_url()),
    "deliverable detail": ("officer", lambda w: w["deliverable"].get_absolute_url()),
    "deliverable edit": (
        "officer",
        lambda w: reverse("strategies:deliverable_update", args=[w["deliverable"].pk]),
    ),
    "measure list": ("scrutiny", lambda w: reverse("dashboards:measures")),
    "measure detail": ("scrutiny", lambda w: w["measure"].get_absolute_url()),
    "county overview": ("scrutiny", lambda w: reverse("dashboards:overview")),
    "priority page": ("scrutiny", lambda w: reverse("dashboards:priority", args=[w["priority"].pk])),
    "committee paper": ("scrutiny", lambda w: reverse("dashboards:paper")),
    "review page": (
        "officer",
        lambda w: reverse("reviews:detail", args=[w["partnership"].slug, w["reporting"].pk]),
    ),
}
DASHBOARDS = {"home as scrutiny", "county overview", "priority page", "measure detail", "partnership detail"}


def count_queries(client, world, page):
    role, url = PAGES[page]
    client.force_login(world[role])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(world))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_query_count_does_not_grow_with_partnerships(client, page, django_db_blocker):
    small = count_queries(client, build_county(1), page)
    # A second, bigger county in the same database: the page must not do more work per row.
    large = count_queries(client, build_county(20), page)
    print(f"{page}: {small} queries")
    assert small == large, f"{page}: {small} queries with 1 partnership, {large} with 20"
    limit = 15 if page in DASHBOARDS else 25
    assert small <= limit, f"{page} runs {small} queries"
