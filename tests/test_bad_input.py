"""Out-of-range and malformed input: every query-string filter and every date field is bounded, so a bad
value gives a 404, the page's default or a form error, never a 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from partnerships.dates import validate_plausible_date
from reviews.models import ReportingQuarter
from strategies.models import Deliverable, HorizonItem
from tests.test_permissions import EXPECTED_GET, url_for

BAD_QUERIES = [
    "quarter=9999-00-q4",
    "quarter=0000-00-q1",
    "quarter=2011-12-q9",
    "quarter=%00",
    "quarter=" + "9" * 400,
    "strategy=99999999999999999999999",
    "strategy=-1",
    "strategy=abc",
    "partnership=../../etc",
    "partnership=no-such-partnership",
    "page=0",
    "page=-5",
    "page=99999999999999999999",
    "page=abc",
    "export=csv&table=no-such-table",
    "export=exe&table=measures",
    "format=pdf&quarter=9999-00-q4",
    "first_year=99999",
    "first_year=-1&framework=abc&partnerships=x",
    "priority=abc",
    "priority=999999999999999999999",
]
GET_PAGES = sorted(name for name, rules in EXPECTED_GET.items() if rules["admin"] == 200)


@pytest.mark.parametrize("name", GET_PAGES)
def test_bad_query_strings_never_give_a_500(client_for, world, name):
    client = client_for("admin")
    for query in BAD_QUERIES:
        response = client.get(f"{url_for(name, world)}?{query}")
        assert response.status_code in (200, 302, 404), (name, query, response.status_code)


@pytest.mark.parametrize("query", ["quarter=9999-00-q4", "quarter=0000-00-q1"])
@pytest.mark.parametrize(
    "name", ["home", "dashboards:overview", "dashboards:figures", "dashboards:paper", "dashboards:priority"]
)
def test_an_out_of_range_quarter_falls_back_to_the_default_for_scrutiny(client_for, world, name, query):
    response = client_for("scrutiny").get(f"{url_for(name, world)}?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1989-12-31", "2101-01-01"])
def test_validate_plausible_date_refuses_far_dates(value):
    import datetime

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_plausible_date(datetime.date.fromisoformat(value))


@pytest.mark.parametrize("value", ["1990-01-01", "2011-04-01", "2100-12-31"])
def test_validate_plausible_date_accepts_dates_in_range(value):
    import datetime

    validate_plausible_date(datetime.date.fromisoformat(value))


def deliverable_post(world, due_date):
    return {
        "title": "Changed deliverable",
        "lead_agency": "Oxfordshire County Council",
        "due_date": due_date,
        "status": Deliverable.Status.ON_TRACK,
        "version": world.deliverable_a.version,
    }


@pytest.mark.parametrize("due_date", ["9999-12-31", "0001-01-01"])
def test_a_far_due_date_is_a_form_error(client_for, world, due_date):
    url = reverse("strategies:deliverable_update", args=[world.deliverable_a.pk])
    response = client_for("officer_a").post(url, deliverable_post(world, due_date))
    assert response.status_code == 200
    assert "Give a date between" in response.content.decode()
    world.deliverable_a.refresh_from_db()
    assert world.deliverable_a.title != "Changed deliverable"


def test_a_sensible_due_date_saves(client_for, world):
    url = reverse("strategies:deliverable_update", args=[world.deliverable_a.pk])
    response = client_for("officer_a").post(url, deliverable_post(world, "2013-03-31"))
    assert response.status_code == 302


@pytest.mark.parametrize("field", ["opens_on", "due_on"])
def test_a_far_quarter_date_is_refused(client_for, world, field):
    data = {"first_year": 2011, "quarter": 3, "opens_on": "2012-01-01", "status": "scheduled"}
    data[field] = "9999-12-31"
    client_for("admin").post(reverse("reviews:quarter_create"), data)
    assert ReportingQuarter.objects.count() == 1  # only the world's own


def test_a_far_series_break_is_refused(client_for, world):
    url = reverse("measures:break_add", args=[world.measure.slug])
    client_for("admin").post(url, {"starts_on": "9999-12-31", "note": "Typo"})
    assert not world.measure.breaks.exists()


def test_a_far_horizon_date_is_a_form_error(client_for, world):
    data = {"title": "Far", "kind": "law", "body": "HO", "status": "expected", "impact": "high"}
    response = client_for("admin").post(
        reverse("strategies:horizon_add"), {**data, "expected_on": "9999-12-31"}
    )
    assert response.status_code == 200
    assert not HorizonItem.objects.filter(title="Far").exists()


def test_a_far_merger_date_is_a_form_error(client_for, world):
    data = {"predecessors": [world.a.pk, world.b.pk], "name": "Far CSP", "effective_from": "9999-12-31"}
    response = client_for("admin").post(reverse("strategies:merge"), data)
    assert response.status_code == 200
    assert "Give a date between" in response.content.decode()


def admin_date_fields():
    """Every date field on every admin add/change form of our models."""
    for model in admin.site._registry:
        if model._meta.app_label not in {"partnerships", "measures", "strategies", "reviews"}:
            continue
        for field in model._meta.concrete_fields:
            if field.get_internal_type() == "DateField" and field.editable:
                yield model, field


@pytest.mark.parametrize(
    "model,field", list(admin_date_fields()), ids=lambda x: getattr(x, "__name__", getattr(x, "name", x))
)
def test_every_admin_date_field_refuses_a_far_date(model, field):
    """The model field's validators are what the admin's forms (and ours) run."""
    assert validate_plausible_date in field.validators, f"{model.__name__}.{field.name} is unbounded"


def test_admin_date_hierarchy_survives_a_deliverable_due_in_9999(client_for, world):
    Deliverable.objects.filter(pk=world.deliverable_a.pk).update(
        due_date="9999-12-31"
    )  # from before the rule
    response = client_for("admin").get(reverse("admin:strategies_deliverable_changelist"))
    assert response.status_code == 200


def test_the_admin_deliverable_form_refuses_a_far_due_date(client_for, world):
    url = reverse("admin:strategies_deliverable_change", args=[world.deliverable_a.pk])
    page = client_for("admin").get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not hasattr(v, "__iter__")}
    data.update(
        {
            "objective": world.objective_a.pk,
            "title": "x",
            "status": "on_track",
            "due_date": "9999-12-31",
            "lead_agency": "x",
        }
    )
    response = client_for("admin").post(url, data)
    assert response.status_code == 200
    assert "Give a date between" in response.content.decode()
