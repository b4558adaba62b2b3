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
