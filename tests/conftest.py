"""Shared fixtures: partnerships A and B and a user for every role (compare healthchecks' hc/test.py)."""

import datetime
from types import SimpleNamespace

import pytest

from measures.figures import kept_judgements
from measures.models import Period
from partnerships.models import Membership
from strategies.models import HorizonItem
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_kept_judgements():
    """Judgements are kept per version of the figures in the process's memory; each test starts with none
    (test databases are rolled back, so ids and versions repeat from one test to the next)."""
    kept_judgements.clear()
    yield
    kept_judgements.clear()


@pytest.fixture
def world(db):
    """Partnership A (the user's own) and B (someone else's), each with a plan and figures, and a user
    for every role: officers of A and B, A's lead, a scrutiny member, an admin and a user with no role."""
    framework = factories.FrameworkFactory()
    priorities = [factories.PriorityFactory(framework=framework, number=n) for n in (1, 2, 3)]
    theme = factories.CommonThemeFactory(priority=priorities[0])
    a = factories.PartnershipFactory(name="Alpha CSP", slug="alpha")
    b = factories.PartnershipFactory(name="Beta CSP", slug="beta")
    area_a = factories.AreaFactory(name="Alpha district", slug="alpha-district")
    area_b = factories.AreaFactory(name="Beta district", slug="beta-district")
    factories.PartnershipAreaFactory(partnership=a, area=area_a)
    factories.PartnershipAreaFactory(partnership=b, area=area_b)
    strategy_a = factories.StrategyFactory(partnership=a, framework=framework)
    strategy_b = factories.StrategyFactory(partnership=b, framework=framework)
    objective_a = factories.ObjectiveFactory(strategy=strategy_a, priority=priorities[0])
    objective_b = factories.ObjectiveFactory(strategy=strategy_b, priority=priorities[0])
    deliverable_a = factories.DeliverableFactory(objective=objective_a, theme=theme)
    deliverable_b = factories.DeliverableFactory(objective=objective_b, theme=theme)
    measure = factories.MeasureFactory(name="Acquisitive crime", slug="acquisitive-crime")
    measure.priorities.add(priorities[0])
    factories.BaselineFactory(measure=measure, partnership=a, value=400)
    for q in (1, 2, 3, 4):
        factories.MeasureValueFactory(
            measure=measure, area=area_a, period=Period.objects.financial_quarter(2011, q), value=90 + q
        )

    quarter = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 1))
    update_a = factories.DeliverableUpdateFactory(deliverable=deliverable_a, quarter=quarter)
    evidence_a = factories.EvidenceFactory(update=update_a)
    component = factories.MeasureComponentFactory(measure=measure, label="Burglary")
    ignored_label = factories.IgnoredLabelFactory(label="Total recorded crime")
    batch = factories.ImportBatchFactory()

    horizon_item = HorizonItem.objects.create(title="Crime Strategy", body="Home Office", impact="high")

    officer_a = factories.UserFactory(username="officer_a")
    lead_a = factories.UserFactory(username="lead_a")
    officer_b = factories.UserFactory(username="officer_b")
    factories.MembershipFactory(user=officer_a, partnership=a)
    factories.MembershipFactory(user=lead_a, partnership=a, role=Membership.Role.LEAD)
    factories.MembershipFactory(user=officer_b, partnership=b)
    scrutiny = factories.UserFactory(username="scrutiny", is_scrutiny_member=True)
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    # Signed in, but no membership, not scrutiny, not admin (a membership removed, a new account).
    no_role = factories.UserFactory(username="no_role")
    return SimpleNamespace(
        framework=framework,
        priorities=priorities,
        theme=theme,
        a=a,
        b=b,
        area_a=area_a,
        area_b=area_b,
        strategy_a=strategy_a,
        strategy_b=strategy_b,
        objective_a=objective_a,
        objective_b=objective_b,
        deliverable_a=deliverable_a,
        deliverable_b=deliverable_b,
        measure=measure,
        horizon_item=horizon_item,
        quarter=quarter,
        update_a=update_a,
        evidence_a=evidence_a,
        component=component,
        ignored_label=ignored_label,
        batch=batch,
        users={
            "officer_a": officer_a,
            "lead_a": lead_a,
            "officer_b": officer_b,
            "scrutiny": scrutiny,
            "admin": admin,
            "no_role": no_role,
        },
        today=datetime.date.today(),
    )


@pytest.fixture
def client_for(client, world):
    """client_for("officer_a") -> a test client signed in as that role (None: anonymous)."""

    def sign_in(role):
        client.logout()
        if role != "anonymous":
            client.force_login(world.users[role])
        return client

    return sign_in
