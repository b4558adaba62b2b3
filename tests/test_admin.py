"""Admins run the framework through the Django admin: bad input gets a form error, never a 500."""

import pytest
from django.urls import reverse

from partnerships.models import AreaAlias
from strategies.models import Strategy


@pytest.mark.django_db
def test_admin_adds_a_strategy_and_its_span_is_filled_in(client_for, world):
    response = client_for("admin").post(
        reverse("admin:strategies_strategy_add"),
        {
            "partnership": world.b.pk,
            "framework": world.framework.pk,
            "first_year": 2012,
            "status": "draft",
            "summary": "",
            "eia_note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Strategy.objects.get(partnership=world.b, first_year=2012).span_label == "2012-15"


@pytest.mark.django_db
def test_admin_gets_a_form_error_for_a_second_adopted_strategy(client_for, world):
    response = client_for("admin").post(
        reverse("admin:strategies_strategy_add"),
        {
            "partnership": world.a.pk,
            "framework": world.framework.pk,
            "first_year": 2011,
            "status": "adopted",
            "summary": "",
            "eia_note": "",
        },
    )
    assert response.status_code == 200
    assert "already has an adopted strategy starting that year" in response.content.decode()
    assert Strategy.objects.filter(partnership=world.a).count() == 1


@pytest.mark.django_db
def test_admin_gets_a_form_error_for_a_clashing_alias(client_for, world):
    AreaAlias.objects.create(area=world.area_a, name="Alpha District Council")
    response = client_for("admin").post(
        reverse("admin:partnerships_areaalias_add"),
        {"area": world.area_b.pk, "name": "alpha district council"},
    )
    assert response.status_code == 200
    assert "already a spelling of Alpha district" in response.content.decode()


@pytest.mark.django_db
def test_unknown_urls_send_anonymous_visitors_to_the_login_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_unknown_urls_give_signed_in_users_a_plain_404(client_for):
    response = client_for("scrutiny").get("/no/such/page/")
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


@pytest.mark.django_db
def test_a_server_error_shows_a_plain_page_and_no_trace(rf, world):
    from partnerships.views import server_error

    request = rf.get("/")
    request.user = world.users["officer_a"]
    response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, something went wrong" in page and "Traceback" not in page


HORIZON_ITEM = {"title": "Serious violence duty", "kind": "law", "body": "Home Office", "status": "expected"}


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["admin:strategies_horizonitem_add", "strategies:horizon_add"])
def test_a_link_without_a_scheme_is_stored_as_https_by_the_admin_and_the_app(client_for, world, where):
    from strategies.models import HorizonItem

    data = {**HORIZON_ITEM, "impact": "high", "link": "www.gov.uk/serious-violence-duty", "expected_when": ""}
    response = client_for("admin").post(reverse(where), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (
        HorizonItem.objects.get(title="Serious violence duty").link
        == "https://www.gov.uk/serious-violence-duty"
    )


@pytest.mark.django_db
def test_an_evidence_link_without_a_scheme_is_stored_as_https_from_the_admin(client_for, world):
    from reviews.models import Evidence

    evidence = Evidence.objects.create(update=world.update_a, title="Minutes", url="https://example.org/old")
    response = client_for("admin").post(
        reverse("admin:reviews_evidence_change", args=[evidence.pk]),
        {
            "update": evidence.update_id,
            "title": evidence.title,
            "url": "example.org/minutes",
            "added_by": world.users["admin"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    evidence.refresh_from_db()
    assert evidence.url == "https://example.org/minutes"


def url_fields_of_every_form(world):
    """(where, field) for every URL field of the app's forms (as classes) and of the admin's forms."""
    import importlib

    from django import forms
    from django.contrib import admin
    from django.test import RequestFactory

    for app in ("partnerships", "measures", "strategies", "reviews"):
        module = importlib.import_module(f"{app}.forms")
        for name, form in vars(module).items():
            ours = isinstance(form, type) and form.__module__ == module.__name__
            if ours and issubclass(form, forms.BaseForm):
                for field_name, field in form.base_fields.items():
                    if isinstance(field, forms.URLField):
                        yield f"{module.__name__}.{name}.{field_name}", field
    request = RequestFactory().get("/")
    request.user = world.users["admin"]
    for model, model_admin in admin.site._registry.items():
        admin_forms = [model_admin.get_form(request)]
        inlines = model_admin.get_inline_instances(request)
        admin_forms += [inline.get_formset(request).form for inline in inlines]
        for form in admin_forms:
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.URLField):
                    yield f"admin {model.__name__}.{field_name}", field


@pytest.mark.django_db
def test_every_url_field_reads_a_link_without_a_scheme_as_https(world):
    fields = dict(url_fields_of_every_form(world))
    expected = {"strategies.forms.HorizonItemForm.link", "admin HorizonItem.link", "admin Evidence.url"}
    assert expected <= set(fields)
    assert {where: field.clean("www.gov.uk/guidance") for where, field in fields.items()} == {
        where: "https://www.gov.uk/guidance" for where in fields
    }
