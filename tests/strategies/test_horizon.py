"""The horizon-scanning register: admins keep it, everyone reads it, the overview and paper show it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from strategies.models import HorizonItem


def test_admin_adds_an_item_linked_to_priorities(client_for, world):
    response = client_for("admin").post(
        reverse("strategies:horizon_add"),
        {
            "title": "Anti-social Behaviour, Crime and Policing Bill",
            "kind": "law",
            "body": "Home Office",
            "expected_on": "2013-05-09",
            "expected_when": "",
            "status": "expected",
            "impact": "high",
            "impact_note": "New injunctions replace ASBOs.",
            "priorities": [world.priorities[0].pk, world.priorities[1].pk],
            "partnerships": [],
            "link": "",
        },
    )
    assert response.status_code == 302
    item = HorizonItem.objects.get(title="Anti-social Behaviour, Crime and Policing Bill")
    assert [p.number for p in item.priorities.all()] == [1, 2]
    assert item.history.first().history_user == world.users["admin"]


def test_a_missing_title_is_a_form_error(client_for, world):
    response = client_for("admin").post(reverse("strategies:horizon_add"), {"body": "Home Office"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_the_register_and_the_paper_show_the_horizon_and_the_overview_links_to_it(client_for, world):
    client = client_for("scrutiny")
    # The overview is the county's picture; the horizon has its own page, a click away.
    assert reverse("dashboards:horizon") in client.get(reverse("dashboards:overview")).content.decode()
    assert "Crime Strategy" in client.get(reverse("dashboards:horizon")).content.decode()
    assert "On the horizon" in client.get(reverse("dashboards:paper")).content.decode()
    register = client.get(reverse("dashboards:horizon"), {"export": "csv", "table": "register"})
    assert "Crime Strategy" in register.content.decode()


@pytest.mark.django_db
def test_the_demo_holds_over_twenty_horizon_items():
    call_command("load_demo", verbosity=0)
    titles = set(HorizonItem.objects.values_list("title", flat=True))
    assert len(titles) > 20
    assert {
        "The Government's Crime Strategy",
        "Election of the first Police and Crime Commissioners",
    } <= titles
