"""Mergers and splits keep every figure and every deliverable; the merged series joins up."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.figures import FigureTable
from measures.models import Baseline, MeasureValue, Period
from partnerships.models import Membership, Merger, Partnership
from reviews.models import DeliverableUpdate
from strategies.mergers import merger_end, partnerships_merge
from strategies.models import Deliverable, Strategy
from tests import factories

MERGE_DAY = datetime.date(2011, 7, 1)  # the start of 2011/12 Q2


@pytest.fixture
def two(world):
    """Partnerships A and B, each with a quarterly series for the measure and a baseline."""
    world.measure.values.all().delete()
    for area, level in ((world.area_a, 100), (world.area_b, 50)):
        for year in (2010, 2011):
            for q in (1, 2, 3, 4):
                factories.MeasureValueFactory(
                    measure=world.measure,
                    area=area,
                    period=Period.objects.financial_quarter(year, q),
                    value=level,
                )
    factories.BaselineFactory(measure=world.measure, partnership=world.b, value=200)
    world.closed = factories.DeliverableFactory(
        objective=world.objective_b, title="Closed B work", status="complete", closure_note="Done."
    )
    return world


def merge(world, **kwargs):
    return partnerships_merge(
        predecessors=[world.a, world.b],
        name="Alpha and Beta CSP",
        effective_from=MERGE_DAY,
        is_pilot=True,
        user=world.users["admin"],
        **kwargs,
    )


def test_merging_keeps_every_value_and_every_deliverable(two):
    """Open work is carried (a new deliverable pointing back), never moved: the predecessors' plans,
    updates and history stay exactly as recorded."""
    values_before = MeasureValue.objects.count()
    deliverables_before = set(Deliverable.objects.values_list("pk", "objective_id"))
    merger = merge(two)
    merged = merger.successor
    assert MeasureValue.objects.count() == values_before
    assert deliverables_before <= set(Deliverable.objects.values_list("pk", "objective_id"))
    carried = Deliverable.objects.filter(objective__strategy__partnership=merged)
    assert set(carried.values_list("title", flat=True)) == {two.deliverable_a.title, two.deliverable_b.title}
    assert set(carried.values_list("carried_from", flat=True)) == {two.deliverable_a.pk, two.deliverable_b.pk}
    assert "Closed B work" not in set(carried.values_list("title", flat=True))  # closed work stays behind
    # the original keeps its quarterly update and its place; the copy says where it came from
    two.deliverable_a.refresh_from_db()
    assert two.deliverable_a.objective.strategy.partnership == two.a
    assert DeliverableUpdate.objects.filter(deliverable=two.deliverable_a).count() == 1
    copy = carried.get(carried_from=two.deliverable_a)
    assert "Carried to Alpha and Beta CSP" in (copy.history.first().history_change_reason or "")
    assert Strategy.objects.get(pk=two.strategy_a.pk).status == "superseded"


def test_merging_moves_areas_people_and_adds_up_baselines(two):
    merged = merge(two).successor
    active = set(Partnership.objects.active(MERGE_DAY))
    assert merged in active and two.a not in active and two.b not in active
    assert two.a in Partnership.objects.active(MERGE_DAY - datetime.timedelta(days=1))
    roles = dict(Membership.objects.filter(partnership=merged).values_list("user__username", "role"))
    assert roles == {"officer_a": "officer", "lead_a": "lead", "officer_b": "officer"}
    assert Baseline.objects.get(partnership=merged, measure=two.measure).value == Decimal(600)  # 400 + 200


def test_the_merged_series_joins_up_across_the_merge_date(two):
    merged = merge(two).successor
    table = FigureTable([two.a, two.b, merged], [two.measure])
    q1, q2 = Period.objects.financial_quarter(2011, 1), Period.objects.financial_quarter(2011, 2)
    assert table.value(two.a, two.measure, q1) == 100  # the predecessors before the date
    assert table.value(two.a, two.measure, q2) is None
    assert table.value(merged, two.measure, q1) == 150  # ... and the merged partnership's series joins up
    assert table.value(merged, two.measure, q2) == 150


def test_the_measure_page_shows_the_merged_series_before_and_after(client_for, two):
    merged = merge(two).successor
    page = client_for("scrutiny").get(two.measure.get_absolute_url(), {"partnership": merged.slug})
    dataset = page.context["chart"]["datasets"][0]
    assert dataset["label"] == merged.label
    assert all(v == 150 for v in dataset["data"])  # no gap at the merge


def test_a_pilot_ends_and_each_open_deliverable_goes_back(two):
    merger = merge(two)
    ended = datetime.date(2012, 4, 1)
    in_pilot = {
        d.carried_from_id: d
        for d in Deliverable.objects.filter(objective__strategy__partnership=merger.successor)
    }
    assignments = {in_pilot[two.deliverable_a.pk].pk: two.a.pk, in_pilot[two.deliverable_b.pk].pk: two.b.pk}
    merger_end(merger=merger, ended_on=ended, assignments=assignments, user=two.users["admin"])
    back = Deliverable.objects.get(carried_from=in_pilot[two.deliverable_a.pk])
    assert back.objective.strategy.partnership == two.a
    assert in_pilot[two.deliverable_a.pk].objective.strategy.partnership == merger.successor  # as recorded
    assert set(Partnership.objects.active(ended)) >= {two.a, two.b}
    assert merger.successor not in Partnership.objects.active(ended)
    table = FigureTable([two.a], [two.measure])
    # Merged then, standing alone since: its district's own figure of the pilot's quarters, so that its
    # series joins up (sweep 15: shown as missing, a year without a 12-month figure).
    assert table.value(two.a, two.measure, Period.objects.financial_quarter(2011, 4)) == 100
    assert Merger.objects.get(pk=merger.pk).ended_on == ended


def test_every_open_deliverable_must_be_assigned_when_a_pilot_ends(two):
    from django.core.exceptions import ValidationError

    merger = merge(two)
    with pytest.raises(ValidationError, match="Choose a partnership for every open deliverable"):
        merger_end(merger=merger, ended_on=datetime.date(2012, 4, 1), assignments={}, user=two.users["admin"])
    assert Merger.objects.get(pk=merger.pk).ended_on is None  # nothing half-done


def test_admin_merges_and_splits_in_the_browser_pages(client_for, two):
    client = client_for("admin")
    response = client.post(
        reverse("strategies:merge"),
        {
            "predecessors": [two.a.pk, two.b.pk],
            "name": "Alpha and Beta CSP",
            "short_name": "A and B",
            "effective_from": "2011-07-01",
            "is_pilot": "on",
        },
    )
    assert response.status_code == 200 and "Nothing has changed yet" in response.content.decode()  # preview
    assert not Partnership.objects.filter(name="Alpha and Beta CSP").exists()
    response = client.post(
        reverse("strategies:merge"),
        {
            "predecessors": [two.a.pk, two.b.pk],
            "name": "Alpha and Beta CSP",
            "short_name": "A and B",
            "effective_from": "2011-07-01",
            "is_pilot": "on",
            "action": "confirm",
        },
    )
    merged = Partnership.objects.get(name="Alpha and Beta CSP")
    assert response.status_code == 302 and merged.short_name == "A and B"
    split_url = reverse("strategies:split", args=[merged.slug])
    form = client.get(split_url)
    assert two.deliverable_a.title in form.content.decode()
    in_pilot = {
        d.carried_from_id: d.pk for d in Deliverable.objects.filter(objective__strategy__partnership=merged)
    }
    data = {
        "ended_on": "2012-04-01",
        f"d{in_pilot[two.deliverable_a.pk]}": two.a.pk,
        f"d{in_pilot[two.deliverable_b.pk]}": two.b.pk,
    }
    response = client.post(split_url, data)
    assert response.status_code == 200 and "Nothing has changed yet" in response.content.decode()  # preview
    assert Merger.objects.get(successor=merged).ended_on is None
    response = client.post(split_url, {**data, "action": "confirm"})
    assert response.status_code == 302
    assert Merger.objects.get(successor=merged).ended_on == datetime.date(2012, 4, 1)


def test_merging_needs_two_partnerships_and_a_new_name(client_for, two):
    response = client_for("admin").post(
        reverse("strategies:merge"),
        {"predecessors": [two.a.pk], "name": two.b.name, "effective_from": "2011-07-01"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "already exists" in page
    assert not Merger.objects.exists()
