"""Property-based: malformed form data never gives a 500 and never saves half of anything."""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import DeliverableUpdate
from strategies.models import Deliverable

JUNK = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.sampled_from(
        ["", "0", "-1", "101", "99999999999999999999", "on_track", "red", "complete", "=1+1", "\x00"]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


def state(deliverable_id):
    d = Deliverable.objects.filter(pk=deliverable_id).values("title", "status", "due_date", "version").get()
    updates = list(
        DeliverableUpdate.objects.filter(deliverable_id=deliverable_id).values_list("pk", "version")
    )
    return d, updates


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            k: JUNK
            for k in (
                "title",
                "description",
                "lead_agency",
                "owner",
                "due_date",
                "theme",
                "status",
                "closure_note",
                "version",
            )
        },
    )
)
def test_the_deliverable_form_survives_anything(client_for, world, data):
    client = client_for("officer_a")
    before = state(world.deliverable_a.pk)
    response = client.post(reverse("strategies:deliverable_update", args=[world.deliverable_a.pk]), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert state(world.deliverable_a.pk) == before


@FUZZ
@given(
    row=st.fixed_dictionaries(
        {}, optional={k: JUNK for k in ("status", "rag", "progress", "commentary", "version")}
    )
)
def test_a_review_row_survives_anything(client_for, world, row):
    client = client_for("officer_a")
    url = reverse("reviews:detail", args=[world.a.slug, world.quarter.pk])
    before = state(world.deliverable_a.pk)
    response = client.post(url, {f"d{world.deliverable_a.pk}-{k}": v for k, v in row.items()})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert state(world.deliverable_a.pk) == before
