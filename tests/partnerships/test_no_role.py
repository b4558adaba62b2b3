"""A signed-in user with no role (no membership, not a scrutiny member, not an admin) sees one page saying
so, and nothing else: no plans, no dashboards, no review pages, no evidence."""

import pytest
from django.urls import reverse

from partnerships.models import Membership


def test_home_says_there_is_no_role_and_offers_nothing_else(client_for, world):
    response = client_for("no_role").get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have no role in the tracker yet" in page
    assert reverse("dashboards:overview") not in page  # no menu
    assert world.a.name not in page and world.deliverable_a.title not in page


@pytest.mark.parametrize(
    "url",
    [
        "/strategies/overview/",
        "/partnerships/alpha/",
        "/strategies/reviews/",
        "/measures/acquisitive-crime/",
        "/admin/",
    ],
)
def test_every_other_page_is_refused_with_the_same_page(client_for, world, url):
    response = client_for("no_role").get(url)
    assert response.status_code == 403
    assert "You have no role in the tracker yet" in response.content.decode()


def test_a_removed_membership_takes_away_the_review_pages_and_evidence(client_for, world):
    client = client_for("officer_a")
    review = reverse("reviews:detail", args=[world.a.slug, world.quarter.pk])
    evidence = reverse("reviews:evidence", args=[world.evidence_a.pk])
    assert client.get(review).status_code == 200
    Membership.objects.filter(user=world.users["officer_a"]).delete()
    assert client.get(review).status_code == 403
    assert client.get(evidence).status_code == 403


def test_a_user_with_no_role_can_still_change_password_and_sign_out(client_for, world):
    client = client_for("no_role")
    assert client.get(reverse("password_change")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302  # signed out: the login page


@pytest.mark.parametrize(
    "role,expected",
    [("no_role", False), ("officer_a", True), ("officer_b", True), ("scrutiny", True), ("admin", True)],
)
def test_has_role(world, role, expected):
    assert world.users[role].has_role is expected


def test_an_inactive_scrutiny_member_has_no_role(world):
    user = world.users["scrutiny"]
    user.is_active = False
    assert not user.has_role


@pytest.mark.parametrize(
    "role,expected",
    [
        ("no_role", False),
        ("officer_a", True),
        ("lead_a", True),
        ("officer_b", False),
        ("scrutiny", True),
        ("admin", True),
    ],
)
def test_who_sees_a_partnerships_review_pages(world, role, expected):
    assert world.a.can_view_reviews(world.users[role]) is expected


def test_anonymous_users_see_no_review_pages(world):
    from django.contrib.auth.models import AnonymousUser

    assert not world.a.can_view_reviews(AnonymousUser())
    assert not world.a.can_edit(AnonymousUser())
    assert not world.a.can_sign_off(AnonymousUser())
