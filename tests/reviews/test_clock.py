"""One reporting clock: every page that lists overdue work lists the same items; pages default to the
latest final quarter and say where each partnership's review stands."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from measures.models import Period
from reviews import clock
from reviews.models import QuarterlyReview, ReportingQuarter
from tests import factories

Q1_END = datetime.date(2011, 6, 30)


@pytest.fixture
def overdue_world(world):
    """2011/12 Q1 signed off by both partnerships (so it is final and the default quarter); Q2 open."""
    for partnership in (world.a, world.b):
        QuarterlyReview.objects.create(partnership=partnership, quarter=world.quarter, status="signed_off")
    world.q2 = factories.ReportingQuarterFactory(
        period=Period.objects.financial_quarter(2011, 2), status=ReportingQuarter.Status.OPEN
    )
    owner_a, owner_b = world.users["officer_a"], world.users["officer_b"]

    def deliverable(objective, title, due, status="on_track", owner=owner_a):
        return factories.DeliverableFactory(
            objective=objective,
            title=title,
            due_date=due,
            status=status,
            owner=owner,
            closure_note="Done." if status in ("complete", "dropped") else "",
        )

    deliverable(world.objective_a, "Late A", datetime.date(2011, 6, 1))
    deliverable(world.objective_a, "Due on the reporting date", Q1_END)
    deliverable(world.objective_a, "Completed A", datetime.date(2011, 5, 1), status="complete")
    recorded_done = deliverable(world.objective_a, "Recorded complete in Q1", datetime.date(2011, 5, 1))
    factories.DeliverableUpdateFactory(
        deliverable=recorded_done,
        quarter=world.quarter,
        status="complete",
        rag="complete",
        commentary="Done.",
    )
    deliverable(world.objective_b, "Late B", datetime.date(2011, 4, 15), owner=owner_b)
    world.deliverable_a.due_date = world.deliverable_b.due_date = datetime.date(2012, 3, 31)
    world.deliverable_a.save()
    world.deliverable_b.save()
    return world


EXPECTED = {"Late A", "Late B"}


def titles_in(html: str, marker: str) -> set[str]:
    return {
        title
        for title in EXPECTED | {"Due on the reporting date", "Completed A", "Recorded complete in Q1"}
        if re.search(re.escape(title) + r".{0,400}?" + marker, html, re.S)
    }


def test_the_default_quarter_is_the_latest_final_one(overdue_world):
    assert clock.default_quarter() == overdue_world.quarter
    assert clock.reporting_date() == Q1_END
    assert clock.quarter_state(overdue_world.quarter).is_final
    assert not clock.quarter_state(overdue_world.q2).is_final


def test_every_page_that_lists_overdue_work_lists_the_same_items(overdue_world, client_for):
    w = overdue_world
    assert {d.title for d, _ in clock.overdue(w.quarter)} == EXPECTED

    home_a = client_for("officer_a").get(reverse("home")).content.decode()
    home_b = client_for("officer_b").get(reverse("home")).content.decode()
    on_homes = titles_in(home_a, "overdue</span>") | titles_in(home_b, "overdue</span>")
    assert on_homes == EXPECTED

    admin_home = client_for("admin").get(reverse("home"))
    assert {d.title for d, _ in admin_home.context["overdue"]} == EXPECTED
    text = re.sub(r"<[^>]+>", "", admin_home.content.decode())
    assert "2 deliverables overdue as at 30 June 2011" in text

    overview = client_for("scrutiny").get(reverse("dashboards:overview"))
    assert overview.context["filters"].quarter.label == "2011/12 Q1"
    assert {e["deliverable"].title for e in overview.context["exceptions"] if e["overdue"]} == EXPECTED
    assert clock.OVERDUE_RULE in overview.content.decode()

    paper = client_for("scrutiny").get(reverse("dashboards:paper"))
    assert {e["deliverable"].title for e in paper.context["exceptions"] if e["overdue"]} == EXPECTED

    mail.outbox.clear()
    call_command("send_review_reminders", verbosity=0)
    in_reminders = {
        title
        for title in EXPECTED | {"Due on the reporting date"}
        for m in mail.outbox
        if "Overdue as at" in m.body and f"- {title} (due" in m.body.split("Overdue as at")[1]
    }
    assert in_reminders == EXPECTED


def test_the_overview_and_paper_show_each_partnerships_review_state(overdue_world, client_for):
    client = client_for("scrutiny")
    for url in (reverse("dashboards:overview"), reverse("dashboards:paper")):
        page = client.get(url).content.decode()
        assert "Where each partnership's 2011/12 Q1 review stands: final" in page
        assert "Provisional" not in page
    page = client.get(reverse("dashboards:overview"), {"quarter": "2011-12-q2"}).content.decode()
    assert "Provisional." in page and "0 of 2 partnerships have signed off 2011/12 Q2" in page
    assert "Not started" in page
