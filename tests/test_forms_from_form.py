"""Property-based, from the forms themselves (``hypothesis.extra.django.from_form``): data a form accepts is
saved through its page exactly as given, and data it refuses changes nothing. Each run must reach the
save: a fuzz test that only ever sees invalid data proves nothing."""

import datetime

from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form
from hypothesis.provisional import domains, urls

from reviews.forms import DeliverableUpdateForm
from reviews.models import DeliverableUpdate, QuarterlyReview
from strategies.forms import DeliverableForm, HorizonItemForm, ObjectiveForm
from strategies.models import Deliverable, HorizonItem, Objective

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
DATES = st.dates(min_value=datetime.date(1985, 1, 1), max_value=datetime.date(2105, 12, 31))
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=0, max_size=60)


class _Undo(Exception):
    pass


def each_from_the_start(example):
    """Run one example in a savepoint rolled back afterwards: every example starts from the fixture's data,
    so what one saved cannot make the next one flaky."""

    def run(form):
        try:
            with transaction.atomic():
                example(form)
                raise _Undo
        except _Undo:
            pass

    return run


def as_posted(data: dict):
    """The data as the view receives it (a QueryDict), for checking the form the same way."""
    from urllib.parse import urlencode

    from django.http import QueryDict

    return QueryDict(urlencode(data, doseq=True))


def post_data(form) -> dict:
    """The bound form's data as a browser would post it (dates as ISO strings, blanks as "")."""
    data = {}
    for key, value in form.data.items():
        if value is None:
            data[key] = ""
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        else:
            data[key] = value
    return data


def test_the_deliverable_form_saves_what_it_accepts(client_for, world):
    client = client_for("officer_a")
    url = reverse("strategies:deliverable_update", args=[world.deliverable_a.pk])
    outcomes = []

    @FUZZ
    @given(
        form=from_form(
            DeliverableForm,
            form_kwargs={"objective": world.objective_a},
            title=TEXT,
            lead_agency=TEXT,
            due_date=st.one_of(st.none(), DATES),
            owner=st.sampled_from(["", world.users["officer_a"].pk, world.users["officer_b"].pk]),
            theme=st.sampled_from(["", world.theme.pk]),
            status=st.sampled_from([s for s, _ in Deliverable.Status.choices]),
            closure_note=TEXT,
        )
    )
    def run(form):
        each_from_the_start(check_one)(form)

    def check_one(form):
        before = Deliverable.objects.get(pk=world.deliverable_a.pk)
        was = (before.title, before.version)
        data = {**post_data(form), "version": before.version}
        check = DeliverableForm(as_posted(data), instance=before, objective=world.objective_a)
        response = client.post(url, data)
        after = Deliverable.objects.get(pk=world.deliverable_a.pk)
        if check.is_valid():
            assert response.status_code == 302, check.errors
            assert after.title == check.cleaned_data["title"]
            assert after.due_date == check.cleaned_data["due_date"]
            assert after.version == was[1] + 1
            outcomes.append("saved")
        else:
            assert response.status_code == 200
            assert (after.title, after.version) == was
            outcomes.append("refused")

    run()
    assert outcomes.count("saved") >= 3, outcomes
    assert "refused" in outcomes


def test_the_objective_form_saves_what_it_accepts(client_for, world):
    client = client_for("lead_a")
    url = reverse("strategies:objective_update", args=[world.objective_a.pk])
    outcomes = []

    @FUZZ
    @given(
        form=from_form(
            ObjectiveForm,
            form_kwargs={"strategy": world.strategy_a},
            priority=st.sampled_from([p.pk for p in world.priorities] + [""]),
            title=TEXT,
        )
    )
    def run(form):
        each_from_the_start(check_one)(form)

    def check_one(form):
        data = post_data(form)
        check = ObjectiveForm(
            data, instance=Objective.objects.get(pk=world.objective_a.pk), strategy=world.strategy_a
        )
        response = client.post(url, data)
        after = Objective.objects.get(pk=world.objective_a.pk)
        if check.is_valid():
            assert response.status_code == 302, check.errors
            assert (after.title, after.priority_id) == (
                check.cleaned_data["title"],
                check.cleaned_data["priority"].pk,
            )
            outcomes.append("saved")
        else:
            assert response.status_code == 200
            outcomes.append("refused")

    run()
    assert outcomes.count("saved") >= 3, outcomes


def test_the_quarterly_update_form_saves_what_it_accepts(client_for, world):
    QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter)
    client = client_for("officer_a")
    url = reverse("reviews:update", args=[world.a.slug, world.quarter.pk, world.deliverable_a.pk])
    outcomes = []

    @FUZZ
    @given(
        form=from_form(
            DeliverableUpdateForm,
            form_kwargs={"deliverable": world.deliverable_a, "quarter": world.quarter},
            status=st.sampled_from([s for s, _ in Deliverable.Status.choices]),
            rag=st.sampled_from([r for r, _ in DeliverableUpdate.Rag.choices]),
            progress=st.one_of(st.none(), st.integers(min_value=-5, max_value=105)),
            commentary=TEXT,
        )
    )
    def run(form):
        each_from_the_start(check_one)(form)

    def check_one(form):
        before = DeliverableUpdate.objects.get(pk=world.update_a.pk)
        version = before.version
        data = {**post_data(form), "version": before.version, "action": "update"}
        check = DeliverableUpdateForm(
            as_posted(data),
            instance=before,
            deliverable=world.deliverable_a,
            quarter=world.quarter,
            empty_permitted=False,
        )
        response = client.post(url, data)
        after = DeliverableUpdate.objects.get(pk=world.update_a.pk)
        if check.is_valid():
            assert response.status_code == 302, check.errors
            assert (after.status, after.rag, after.progress, after.commentary) == tuple(
                check.cleaned_data[k] for k in ("status", "rag", "progress", "commentary")
            )
            assert after.version == version + 1
            outcomes.append("saved")
        else:
            assert response.status_code == 200
            assert after.version == version
            outcomes.append("refused")

    run()
    assert outcomes.count("saved") >= 3, outcomes
    assert "refused" in outcomes


def test_the_horizon_form_saves_what_it_accepts(client_for, world):
    """Links typed with or without a scheme: what the form accepts is stored exactly as it cleaned it, and a
    link without one is stored as https (the admin's form reads it the same way: tests/test_admin.py).

    This form was once left out here: a link such as ``A.AC/`` came back ``http://A.AC/`` from the form
    class (its field built with Django 5's http default, as the admin's was) and ``https://A.AC/`` from the
    form the page used (which set https afterwards, on each copy). Both now build the field with https."""
    client = client_for("admin")
    url = reverse("strategies:horizon_edit", args=[world.horizon_item.pk])
    outcomes = []

    @FUZZ
    @given(
        form=from_form(
            HorizonItemForm,
            title=TEXT,
            body=TEXT,
            expected_on=st.one_of(st.none(), DATES),
            expected_when=TEXT,
            impact_note=TEXT,
            link=st.one_of(st.just(""), urls(), domains().map(lambda d: f"{d}/papers")),
            priorities=st.lists(st.sampled_from([p.pk for p in world.priorities]), unique=True),
            partnerships=st.lists(st.sampled_from([world.a.pk, world.b.pk]), unique=True),
        )
    )
    def run(form):
        each_from_the_start(check_one)(form)

    def check_one(form):
        data = post_data(form)
        check = HorizonItemForm(as_posted(data), instance=HorizonItem.objects.get(pk=world.horizon_item.pk))
        response = client.post(url, data)
        after = HorizonItem.objects.get(pk=world.horizon_item.pk)
        if check.is_valid():
            assert response.status_code == 302, check.errors
            fields = ("title", "body", "expected_on", "expected_when", "impact_note", "link")
            assert tuple(getattr(after, f) for f in fields) == tuple(check.cleaned_data[f] for f in fields)
            assert set(after.priorities.all()) == set(check.cleaned_data["priorities"])
            assert set(after.partnerships.all()) == set(check.cleaned_data["partnerships"])
            if data["link"] and "://" not in data["link"]:
                assert after.link == f"https://{data['link'].strip()}"
            outcomes.append("saved")
        else:
            assert response.status_code == 200
            assert after.title == world.horizon_item.title
            outcomes.append("refused")

    run()
    assert outcomes.count("saved") >= 3, outcomes
