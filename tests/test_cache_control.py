"""Pages with personal data and every download are never kept by a browser or a shared cache."""

import pytest
from django.urls import reverse

from tests.test_permissions import EXPECTED_GET, url_for

PRIVATE = "private, no-store"


@pytest.mark.parametrize("role", ["officer_a", "scrutiny", "admin"])
def test_every_page_a_signed_in_user_can_read_is_private(client_for, world, role):
    client = client_for(role)
    for name, rules in sorted(EXPECTED_GET.items()):
        if rules[role] != 200:
            continue
        response = client.get(url_for(name, world))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == PRIVATE, name


def test_downloads_are_private(client_for, world):
    client = client_for("admin")
    for url in [
        reverse("reviews:evidence", args=[world.evidence_a.pk]),
        reverse("dashboards:overview") + "?export=csv&table=measures",
        reverse("dashboards:overview") + "?export=xlsx&table=measures",
        reverse("measures:import_template", args=["csv"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PRIVATE, url


def test_the_no_role_page_is_private(client_for, world):
    assert client_for("no_role").get(reverse("home"))["Cache-Control"] == PRIVATE


def test_the_login_page_is_never_cached(client):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
