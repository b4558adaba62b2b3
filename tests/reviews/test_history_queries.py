"""The deliverable page runs the same queries however long its history: owner, theme and status edits
and quarterly updates (the related names in the history are looked up together)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Period
from partnerships.models import Membership
from tests import factories


def edit_many_times(world, edits):
    owners = [world.users["officer_a"], world.users["lead_a"]]
    themes = [world.theme, factories.CommonThemeFactory(priority=world.priorities[0])]
    deliverable = world.deliverable_a
    for i in range(edits):
        deliverable.owner = owners[i % 2]
        deliverable.theme = themes[i % 2]
        deliverable.title = f"Edited {i}"
        deliverable._history_user = owners[i % 2]
        deliverable.save()
    for q in range(2, 2 + min(edits, 3)):
        quarter = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, q))
        update = factories.DeliverableUpdateFactory(deliverable=deliverable, quarter=quarter)
        for i in range(edits):
            update.commentary = f"Update {i}"
            update.updated_by = owners[i % 2]
            update.save()


def page_queries(client, world):
    url = reverse("reviews:deliverable", args=[world.deliverable_a.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


# The deliverable page as a scrutiny member, query by query:
#  1 session, 2 user, 3 the deliverable with its objective, strategy, partnership, priority, owner and
#  theme, 4 the reporting date, 5 the deliverable's history records with who made them, 6 the update
#  history with quarters and who, 7 the user's memberships, 8 the partnership's signed-off quarters,
#  9 the updates with their quarters, 10 their evidence;
#  and once the history shows a changed owner and theme: 11 those users, 12 those themes (one query
#  per kind of related value, however many edits).
PLAIN = 10
WITH_OWNER_AND_THEME_CHANGES = PLAIN + 2


@pytest.mark.parametrize("edits,expected", [(0, PLAIN), (10, WITH_OWNER_AND_THEME_CHANGES), (25, 12)])
def test_deliverable_page_queries_do_not_grow_with_history(client_for, world, edits, expected):
    Membership.objects.get_or_create(user=world.users["lead_a"], partnership=world.a)
    client = client_for("scrutiny")
    edit_many_times(world, edits)
    queries = page_queries(client, world)
    assert len(queries) == expected, "\n".join(queries)
