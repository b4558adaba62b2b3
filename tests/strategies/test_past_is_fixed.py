"""The past is fixed: what was recorded and signed off reads the same after a merger, the end of a
pilot, an annual refresh, an adoption, a re-baselining or an import's rollback.

Each test loads the Oxfordshire demo, takes a snapshot of every recorded fact (reviews, events, updates,
evidence, figures) and, for the end of the South and Vale pilot, the pages that show 2011/12 Q1 to Q3,
then makes the change and compares.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from measures.models import Baseline, BaselineChange, ImportBatch, Measure, MeasureValue, Period
from partnerships.models import Partnership, User
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent
from strategies import mergers
from strategies.models import Deliverable, Strategy

PILOT_ENDS = datetime.date(2012, 4, 1)
PAST = ["2011-12-q1", "2011-12-q2", "2011-12-q3"]


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def recorded_facts() -> dict[str, set]:
    """Everything recorded, with the partnership that recorded it."""
    return {
        "reviews": set(
            QuarterlyReview.objects.values_list("partnership__slug", "quarter__period__label", "status")
        ),
        "events": set(
            ReviewEvent.objects.values_list(
                "review__partnership__slug",
                "review__quarter__period__label",
                "action",
                "user__username",
                "comment",
            )
        ),
        "updates": set(
            DeliverableUpdate.objects.values_list(
                "pk",
                "deliverable_id",
                "deliverable__objective__strategy__partnership__slug",
                "quarter__period__label",
                "status",
                "rag",
                "progress",
                "commentary",
                "updated_by__username",
                "version",
            )
        ),
        "evidence": set(Evidence.objects.values_list("pk", "update_id", "title", "url", "file")),
        "figures": set(MeasureValue.objects.values_list("measure_id", "area_id", "period_id", "value")),
    }


def main_content(response) -> str:
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def past_pages(client) -> dict[str, str]:
    """Every page that shows 2011/12 Q1-Q3, as an officer-free reader (the scrutiny chair) sees it."""
    pages = {}
    labels = [slug.replace("-", "/", 1).replace("-q", " Q") for slug in PAST]
    quarters = ReportingQuarter.objects.filter(period__label__in=labels).select_related("period")
    for quarter in quarters:
        for partnership in Partnership.objects.active(quarter.period.end):
            url = reverse("reviews:detail", args=[partnership.slug, quarter.pk])
            pages[url] = main_content(client.get(url))
    index = client.get(reverse("reviews:index")).content.decode()
    for label in ("2011/12 Q1", "2011/12 Q2", "2011/12 Q3"):
        row = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(label)}.*?</tr>", index, re.S)
        pages[f"index {label}"] = row.group(0)
    pages["index columns"] = re.search(r"<thead.*?</thead>", index, re.S).group(0)
    for slug in PAST:
        pages[f"overview {slug}"] = main_content(
            client.get(reverse("dashboards:overview"), {"quarter": slug})
        )
        pages[f"paper {slug}"] = main_content(client.get(reverse("dashboards:paper"), {"quarter": slug}))
    for measure in Measure.objects.order_by("order")[:6]:
        for slug in PAST:
            response = client.get(measure.get_absolute_url(), {"quarter": slug})
            pages[f"measure {measure.slug} {slug}"] = main_content(response)
    return pages


def end_the_pilot_in_the_browser(client):
    south_and_vale = Partnership.objects.get(slug="south-and-vale")
    url = reverse("strategies:split", args=[south_and_vale.slug])
    predecessors = list(south_and_vale.formed_by.predecessors.order_by("name"))
    data = {"ended_on": PILOT_ENDS.isoformat()}
    for i, deliverable in enumerate(mergers.deliverables_to_assign(south_and_vale)):
        data[f"d{deliverable.pk}"] = predecessors[i % 2].pk
    preview = client.post(url, data)
    assert preview.status_code == 200 and "Nothing has changed yet" in preview.content.decode()
    done = client.post(url, {**data, "action": "confirm"})
    assert done.status_code == 302, done.content.decode()[:2000]
    client.get(done.url)  # shows (and so uses up) the success message
    return predecessors


def test_ending_the_south_and_vale_pilot_keeps_every_past_page_and_fact(demo, client):
    reader, admin = User.objects.get(username="scrutiny.chair"), User.objects.get(username="admin")
    facts = recorded_facts()
    client.force_login(reader)
    before = past_pages(client)

    client.force_login(admin)
    predecessors = end_the_pilot_in_the_browser(client)

    assert recorded_facts()["reviews"] == facts["reviews"]
    assert recorded_facts() == facts
    client.force_login(reader)
    after = past_pages(client)
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        import difflib

        diff = "\n".join(
            difflib.unified_diff(
                before[changed[0]].splitlines(), after[changed[0]].splitlines(), lineterm="", n=1
            )
        )
        raise AssertionError(f"pages changed: {changed[:5]}\n{diff[:3000]}")

    # The predecessors are asked for nothing before the date; South and Vale finishes its own Q4.
    q4 = ReportingQuarter.objects.get(period__label="2011/12 Q4")
    officer = User.objects.get(username="southvale.officer")
    assert officer.memberships.filter(partnership__in=predecessors).count() == 2
    client.force_login(officer)
    home = client.get("/").content.decode()
    assert home.count("2011/12 Q4 review:") == 1  # South and Vale's, not its predecessors'
    for predecessor in predecessors:
        page = client.get(reverse("reviews:detail", args=[predecessor.slug, q4.pk])).content.decode()
        assert "did not report on 2011/12 Q4" in page
        assert 'name="d' not in page  # no update form
    out = io.StringIO()
    call_command("send_review_reminders", "--dry-run", stdout=out)
    assert all(p.name not in out.getvalue() for p in predecessors)
    # Their open work goes on from the date, pointing back to South and Vale's.
    carried = Deliverable.objects.filter(objective__strategy__partnership__in=predecessors)
    assert carried.exists() and all(
        d.carried_from.objective.strategy.partnership.slug == "south-and-vale" for d in carried
    )


def test_merging_keeps_the_past(demo):
    facts = recorded_facts()
    cherwell, west = (
        Partnership.objects.get(slug="cherwell"),
        Partnership.objects.get(slug="west-oxfordshire"),
    )
    mergers.partnerships_merge(
        predecessors=[cherwell, west],
        name="North Oxfordshire CSP",
        effective_from=datetime.date(2012, 4, 1),
        is_pilot=False,
        user=User.objects.get(username="admin"),
    )
    assert recorded_facts() == facts


def test_refresh_and_adoption_keep_the_past(demo):
    from strategies.refresh import default_mapping, strategy_adopt, strategy_refresh

    facts = recorded_facts()
    admin = User.objects.get(username="admin")
    partnerships = list(Partnership.objects.active())
    framework = Strategy.objects.adopted().first().framework
    strategy_refresh(
        partnerships=partnerships,
        first_year=2012,
        framework=framework,
        mapping=default_mapping(framework, framework),
        user=admin,
    )
    assert recorded_facts() == facts
    draft = Strategy.objects.get(partnership__slug="oxford", first_year=2012)
    draft.eia_date, draft.eia_note, draft.summary = datetime.date(2012, 3, 1), "Assessed.", "2012-15."
    draft.save()
    strategy_adopt(strategy=draft, user=admin)
    assert recorded_facts() == facts


def test_rebaselining_keeps_the_past_and_the_old_value(demo):
    from measures.services import baseline_rebase

    facts = recorded_facts()
    baseline = Baseline.objects.select_related("period").first()
    old = baseline.value
    baseline_rebase(
        baseline=baseline,
        value=old + 10,
        period=baseline.period,
        reason="Recording standards changed",
        user=User.objects.get(username="admin"),
    )
    assert recorded_facts() == facts
    assert BaselineChange.objects.filter(old_value=old).exists()


def test_an_import_rolled_back_leaves_the_past_as_it_was(demo, tmp_path):
    from measures.services import import_batch_rollback

    facts = recorded_facts()
    q4 = Period.objects.financial_quarter(2011, 4)
    measure = Measure.objects.filter(components__isnull=False).first()
    path = tmp_path / "figures.csv"
    path.write_text(
        "area,area_code,measure,period,value\n"
        f"Cherwell,E07000177,{measure.name},{q4.label},999\n"
        f"Oxford,E07000178,{measure.name},{q4.label},998\n"
    )
    call_command("import_performance", str(path), stdout=io.StringIO())
    assert recorded_facts() != facts
    import_batch_rollback(batch=ImportBatch.objects.latest("pk"), user=None)
    assert recorded_facts() == facts
