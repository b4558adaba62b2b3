"""Every page's queries, pinned exactly, and the same however big the county grows.

The county (``tests/dashboards/county.py``: 2 partnerships, 3 reporting quarters, 1 measure, 1 deliverable
per objective and one round of edits) is opened page by page and each page must run exactly the
queries listed below. Then one dimension grows (partnerships to 12, more than a dashboard page holds;
3 more quarters; 3 more measures; 2 more deliverables per objective; 3 more rounds of edits of every
deliverable and update, with evidence and review events) and every page must run the same number
again: a query per row anywhere (an N+1, a relation missing from a ``select_related``) changes a count.

Session and user are the first two queries of every page; ``memberships`` is the signed-in user's
roles (read once per request); ``quarters`` is the dashboards' filter list of quarters, each annotated
with its reporting quarter and whether it is final (one query); ``reporting partnerships`` are those
covering an area on the quarter's last day, with their review status; ``figures`` is a FigureTable's
three queries (coverage, values, and the baselines).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.figures import kept_judgements
from tests.dashboards.county import County


@dataclass
class Page:
    role: str
    url: Callable
    queries: int
    post: Callable | None = None


def review_url(county, reporting):
    return reverse("reviews:detail", args=[county.first["partnership"].slug, reporting.pk])


def merge_form(county):
    return {
        "predecessors": [e["partnership"].pk for e in county.partnerships],
        "name": "Merged CSP",
        "effective_from": "2013-04-01",
    }


def refresh_url(county):
    chosen = "&".join(f"partnerships={e['partnership'].pk}" for e in county.partnerships)
    return f"{reverse('strategies:refresh')}?first_year=2014&framework={county.framework.pk}&{chosen}"


# Every dashboard page as at a final quarter (the default here) runs one query more, last: the figures
# imports wrote after the quarter was signed off (``Filters.revisions``), to say so.
PAGES = {
    # 1 session, 2 user, 3 quarters, 4 reporting partnerships, 5 strategy years, 6 strategies shown,
    # 7 priorities, 8 deliverables by RAG (counted in SQL), 9 exception updates, 10 exception deliverables
    # with partnership, priority and owner, 11 measures, 12-14 figures, 15 targets (the horizon has its
    # own page).
    "home as scrutiny": Page("scrutiny", lambda c: reverse("home"), 16),
    "county overview": Page("scrutiny", lambda c: reverse("dashboards:overview"), 16),
    # 1 session, 2 user, 3 quarters, 4 reporting partnerships, 5 strategy years, 6 measures with the
    # figures' version, 7-9 figures, 10 targets.
    "every measure's figures": Page("scrutiny", lambda c: reverse("dashboards:figures"), 11),
    # 1 session, 2 user, 3 memberships, 4 current strategies, 5 the open quarter, 6 the default quarter,
    # 7 the user's partnerships, 8 reporting partnerships, 9 their strategies, 10 overdue deliverables,
    # 11 their updates; the review's progress: 12 does the partnership report, 13 its strategy,
    # 14 live deliverables counted, 15 those updated counted, 16 the review; 17 the plan with priorities
    # and owners. (Queries 12-17 are per partnership the person belongs to, not per row.)
    "home as officer": Page("officer", lambda c: reverse("home"), 17),
    "home as lead": Page("lead", lambda c: reverse("home"), 17),
    # 1 session, 2 user, 3 the default quarter, 4 reporting partnerships, 5 their strategies, 6 overdue
    # deliverables, 7 their updates, 8 unowned work counted, 9-10 active partnerships and strategies
    # counted, 11-14 counts of strategies, deliverables, measures and users, 15 partnerships without an
    # adopted strategy, 16 drafts, 17 without members, 18 without a lead, 19 measures missing baselines,
    # 20 users without a role.
    "home as admin": Page("admin", lambda c: reverse("home"), 20),
    # 1 session, 2 user, 3 memberships (none: the page saying so).
    "home with no role": Page("no_role", lambda c: reverse("home"), 3),
    # 1 session, 2 user, 3 the priority with its framework, 4 its themes, 5 quarters, 6 reporting
    # partnerships, 7 strategy years, 8 strategies shown, 9 deliverables with partnership, priority and
    # owner, 10 their updates for the quarter, 11 the priority's measures, 12-14 figures, 15 targets.
    "priority page": Page(
        "scrutiny", lambda c: reverse("dashboards:priority", args=[c.priorities[0].pk]), 16
    ),
    # 1 session, 2 user, 3 the partnership, 4 quarters, 5 strategies with deliverables counted by status,
    # 6 mergers, 7 measures, 8-10 figures (the coverage among them is the areas over time), 11 targets,
    # 12 their ONS codes, 13 the last 8 quarters with the review's status, 14 memberships, 15 people.
    "partnership page": Page("scrutiny", lambda c: c.first["partnership"].get_absolute_url(), 16),
    # The figures as stored, downloaded: the page's queries 1-14 (not 15, the people, which only the
    # template reads), then 15 the areas covered, 16 their ONS codes, 17 the values with measure, area
    # and period.
    "partnership stored download": Page(
        "scrutiny", lambda c: c.first["partnership"].get_absolute_url() + "?export=xlsx&table=stored", 17
    ),
    # 1 session, 2 user, 3 active partnerships, 4 their areas, 5 former partnerships, 6 current strategies.
    "partnership list": Page("scrutiny", lambda c: reverse("dashboards:partnerships"), 6),
    # 1 session, 2 user, 3 measures, 4 their priorities, 5 their offence lines.
    "measure list": Page("scrutiny", lambda c: reverse("dashboards:measures"), 5),
    # 1 session, 2 user, 3 the measure, 4 its offence lines, 5 its series breaks, 6 quarters, 7 reporting
    # partnerships, 8 strategy years, 9-11 figures, 12 targets, 13 coverage again, 14 other kinds of
    # period, 15 their values (months, years, rolling years).
    "measure page": Page("scrutiny", lambda c: c.measures[0].get_absolute_url(), 16),
    # The figures as stored, downloaded: the page's queries up to its tables, then 16 the areas covered,
    # 17 their ONS codes, 18 the values with measure, area and period.
    "measure stored download": Page(
        "scrutiny", lambda c: c.measures[0].get_absolute_url() + "?export=csv&table=stored", 18
    ),
    # 1 session, 2 user, 3 quarters, 4 reporting partnerships, 5 strategy years, 6 strategies, 7 the
    # reporting quarter, 8 the one before, 9 priorities, 10 objectives with partnerships, 11 deliverables
    # with owners, 12 their updates for both quarters, 13 measures, 14 their priorities, 15-17 figures,
    # 18 exception updates, 19 exception deliverables, 20 horizon items, 21 their priorities, 22 their
    # partnerships.
    "committee paper": Page("scrutiny", lambda c: reverse("dashboards:paper"), 23),
    # 1 session, 2 user, 3 horizon items, 4 their priorities, 5 their partnerships.
    "horizon": Page("scrutiny", lambda c: reverse("dashboards:horizon"), 5),
    # 1 session, 2 user, 3 reporting quarters, 4 coverage with partnerships, 5 reviews, 6 memberships.
    "reviews index": Page("scrutiny", lambda c: reverse("reviews:index"), 6),
    # 1 session, 2 user, 3 memberships, 4 the partnership, 5 the quarter, 6 the review, 7-9 the review's
    # quarter, partnership and period, 10 the strategy reviewed, 11 live deliverables with priority and
    # owner, 12 this quarter's updates with who made them, 13 their evidence, 14 the quarter before,
    # 15 its updates, 16 does the partnership report on the quarter, 17 the review's events with who.
    "review page": Page("officer", lambda c: review_url(c, c.open), 17),
    "signed-off review page": Page("lead", lambda c: review_url(c, c.final), 17),
    # 1 session, 2 user, 3 memberships, 4 the partnership, 5 the quarter, 6 the review, 7 the partnership
    # again, 8 the deliverable, 9-10 the review's quarter and period, 11 the quarter before, 12 this
    # quarter's update, 13 last quarter's, 14 does the partnership report, 15 evidence with who added it.
    "review update page": Page(
        "officer",
        lambda c: reverse("reviews:update", args=[c.first["partnership"].slug, c.open.pk, c.deliverable.pk]),
        15,
    ),
    # 1 session, 2 user, 3 the deliverable with objective, strategy, partnership, priority, owner and
    # theme, 4 the reporting date, 5 its history with who, 6 the owners and 7 the themes named in it,
    # 8 the updates' history with quarters and who, 9 memberships, 10 signed-off quarters, 11 updates with
    # quarters and who, 12 their evidence. (With no owner or theme change in the history, 6 and 7 are not
    # needed: tests/reviews/test_history_queries.py.)
    "deliverable page": Page("scrutiny", lambda c: c.deliverable.get_absolute_url(), 12),
    # 1 session, 2 user, 3 memberships, 4 the deliverable as above, 5 the owners on offer, 6 the themes.
    "deliverable edit": Page(
        "officer", lambda c: reverse("strategies:deliverable_update", args=[c.deliverable.pk]), 6
    ),
    # 1 session, 2 user, 3 strategies with partnership, framework and deliverables counted.
    "strategy list": Page("scrutiny", lambda c: reverse("strategies:list"), 3),
    # 1 session, 2 user, 3 memberships, 4 the strategy, 5 priorities, 6 their themes, 7 objectives,
    # 8 deliverables with owner and theme, 9 measures, 10 their priorities, 11 coverage, 12 quarters,
    # 13 figures, 14 baselines, 15 wider objectives.
    "strategy page": Page("officer", lambda c: c.first["strategy"].get_absolute_url(), 15),
    # 1 session, 2 user, 3 active partnerships (the form's choices), 4 a partnership of that name?,
    # 5 areas, 6 current strategies, 7 their deliverables, 8 drafts, 9 people, 10 recorded reviews,
    # 11 quarters from the date, 12 the form's choices again (rendering).
    "merge preview": Page("admin", lambda c: reverse("strategies:merge"), 12, post=merge_form),
    # 1 session, 2 user, 3 latest adopted year, 4 frameworks, 5 the chosen framework, 6 active
    # partnerships, 7 their priorities, 8-9 the framework's priorities, 10 adopted strategies, 11 drafts
    # already made, 12 objectives, 13 deliverables, 14 their updates, 15 baselines and 16 targets
    # counted, 17 new priorities, 18-19 the form's choices (rendering).
    "refresh preview": Page("admin", refresh_url, 19),
}

# How much each dimension grows, one at a time from the small county.
GROWTH = {"partnerships": 10, "quarters": 3, "measures": 3, "deliverables": 2, "history": 3}


def page_queries(client, county, name, *, kept=False):
    """The queries of one request for the page: as the first request since the figures changed (nothing
    judged yet), or with ``kept`` as every later one (the judgements kept: measures.figures.summaries)."""
    page = PAGES[name]
    client.force_login(getattr(county, page.role))
    if not kept:
        kept_judgements.clear()
    with CaptureQueriesContext(connection) as captured:
        if page.post:
            response = client.post(page.url(county), page.post(county))
        else:
            response = client.get(page.url(county))
    assert response.status_code == 200, (name, response.status_code)
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", ["none", *GROWTH])
def test_every_page_runs_its_pinned_queries_whatever_grows(client, dimension):
    county = County()
    if dimension != "none":
        county.grow(dimension, GROWTH[dimension])
    wrong = {}
    for name, page in PAGES.items():
        queries = page_queries(client, county, name)
        if len(queries) != page.queries:
            wrong[name] = (page.queries, len(queries), queries)
    assert not wrong, f"{dimension} grown:\n" + "\n\n".join(
        f"{name}: {expected} queries pinned, {got} run:\n  " + "\n  ".join(q[:300] for q in queries)
        for name, (expected, got, queries) in wrong.items()
    )


# The pages that judge measures, on every request after the first for a version of the figures: the
# 4 figure queries (coverage, figures, baselines, targets) are not needed, the measures query having read
# the figures' version (measures.figures.summaries).
KEPT = {"home as scrutiny": 12, "county overview": 12, "priority page": 12, "every measure's figures": 7}


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", ["none", *GROWTH])
def test_pages_that_judge_measures_reuse_the_judgements_while_the_figures_stand(client, dimension):
    county = County()
    if dimension != "none":
        county.grow(dimension, GROWTH[dimension])
    for name, expected in KEPT.items():
        first = page_queries(client, county, name)
        again = page_queries(client, county, name, kept=True)
        assert (len(first), len(again)) == (PAGES[name].queries, expected), (name, again)
        assert not any('"measures_measurevalue"."value"' in q for q in again), name  # no figures read
        assert any('"measures_measurevalue"."value"' in q for q in first), name


@pytest.mark.django_db
def test_the_grown_county_is_bigger_where_the_pages_look():
    """The growth reaches what the pages show (more rows on them), so an equal count means something."""
    from strategies.models import Deliverable, HorizonItem

    county = County()
    before = Deliverable.objects.filter(objective__strategy=county.first["strategy"]).count()
    county.grow("deliverables", 2)
    assert Deliverable.objects.filter(objective__strategy=county.first["strategy"]).count() == before * 3
    county.grow("partnerships", 10)
    assert len(county.partnerships) == 12 and HorizonItem.objects.count() == 13
    county.grow("history", 3)
    assert county.deliverable.history.count() == 5  # created, then one and three more rounds of edits
