"""Scrutiny dashboards: the numbers match what is stored, the exports match the pages, the paper prints."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from measures.models import ImportBatch, MeasureValue, Period, SeriesBreak, Target
from reviews.models import DeliverableUpdate
from tests import factories


@pytest.fixture
def county(world):
    """Partnership A with three deliverables rated red, amber and green for 2011/12 Q1, and a long
    quarterly series for its measure: twelve steady baseline quarters, then a sharp fall."""
    q1 = world.quarter
    DeliverableUpdate.objects.filter(deliverable=world.deliverable_a).update(
        rag="red", status="off_track", commentary='=HYPERLINK("http://evil")'
    )
    amber = factories.DeliverableFactory(objective=world.objective_a, title="Amber work")
    factories.DeliverableUpdateFactory(
        deliverable=amber, quarter=q1, rag="amber", status="at_risk", commentary="Slipping."
    )
    green = factories.DeliverableFactory(objective=world.objective_a, title="Green work")
    factories.DeliverableUpdateFactory(deliverable=green, quarter=q1, rag="green", status="on_track")
    factories.DeliverableFactory(objective=world.objective_a, title="Not updated work")
    steady = [95, 105] * 6
    for i, value in enumerate(steady):
        period = Period.objects.financial_quarter(2007 + i // 4, i % 4 + 1)
        factories.MeasureValueFactory(measure=world.measure, area=world.area_a, period=period, value=value)
    world.measure.values.filter(period__start__year__gte=2011).update(value=40)  # far below the limits
    return world


def overview(client_for, role="scrutiny", **params):
    client = client_for(role)
    return client, client.get(reverse("dashboards:overview"), params)


def test_the_grid_counts_deliverables_by_rating_for_the_quarter(client_for, county):
    _, response = overview(client_for, quarter="2011-12-q1")
    grid = response.context["grid"]
    row = next(r for r in grid["rows"] if r["partnership"] == county.a)
    priority, cell = row["cells"][0]
    assert (cell.get("red"), cell.get("amber"), cell.get("green"), cell.no_update) == (1, 1, 1, 1)
    assert f"?quarter=2011-12-q1&amp;partnership={county.a.slug}" in response.content.decode()


def test_exceptions_list_red_and_amber_with_their_commentary(client_for, county):
    _, response = overview(client_for, quarter="2011-12-q1")
    titles = [e["deliverable"].title for e in response.context["exceptions"]]
    assert titles[:2] == [county.deliverable_a.title, "Amber work"]  # worst first
    assert "Slipping." in response.content.decode()


def test_the_direction_of_travel_follows_the_stated_rule(client_for, county):
    client, response = overview(client_for, quarter="2011-12-q1", partnership=county.a.slug)
    [row] = [r for r in response.context["measure_rows"] if r.measure == county.measure]
    # Twelve baseline quarters at 95/105 give limits 73.4 to 126.6; 40 is far below: lower is better.
    assert row.summary.trend.verdict == "improving"
    # Rule 1 (beyond a limit) decides it; the overview keeps the judgement in brief, without the points.
    assert "below the lower process limit" in row.summary.trend.reason
    assert (row.summary.trend.direction, row.summary.trend.variation) == ("down", "improvement_low")
    # The overview is the picture; the rule stands under the table of every measure's figures.
    assert "2.66 × the mean moving range" not in response.content.decode()
    figures = client.get(
        reverse("dashboards:figures"), {"quarter": "2011-12-q1", "partnership": county.a.slug}
    )
    assert "2.66 × the mean moving range" in figures.content.decode()
    [again] = [r for r in figures.context["measure_rows"] if r.measure == county.measure]
    assert again.summary.trend.verdict == "improving"


def test_filters_survive_in_the_url_and_nonsense_falls_back(client_for, county):
    _, response = overview(client_for, quarter="2099-00-q9", strategy="banana", partnership="nobody")
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters.quarter is not None and filters.strategy_year is None and filters.partnership is None
    _, response = overview(client_for, quarter="2011-12-q1", strategy="2011", partnership=county.b.slug)
    assert response.context["filters"].query() == "quarter=2011-12-q1&strategy=2011&partnership=beta"
    assert [r["partnership"] for r in response.context["grid"]["rows"]] == [county.b]


def test_csv_export_has_the_numbers_on_the_page(client_for, county):
    client, page = overview(client_for, quarter="2011-12-q1")
    response = client.get(
        reverse("dashboards:overview"), {"quarter": "2011-12-q1", "export": "csv", "table": "grid"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    alpha = next(r for r in rows if r["Partnership"] == county.a.name and r["Priority"].startswith("1."))
    assert (alpha["Red"], alpha["Amber"], alpha["Green"], alpha["No update"]) == ("1", "1", "1", "1")


def test_xlsx_export_opens_and_formulas_are_made_harmless(client_for, county):
    client, _ = overview(client_for)
    response = client.get(
        reverse("dashboards:overview"), {"quarter": "2011-12-q1", "export": "xlsx", "table": "exceptions"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Partnership", "Priority", "Deliverable"]
    commentary = [row[-1] for row in values[1:]]
    assert '\'=HYPERLINK("http://evil")' in commentary  # shown as text, never run


def xlsx_rows(response) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_numbers_are_numbers_and_dates_are_dates_so_a_spreadsheet_can_add_them_up(client_for, county):
    client, _ = overview(client_for)
    params = {"quarter": "2011-12-q1", "export": "xlsx"}
    grid = xlsx_rows(client.get(reverse("dashboards:overview"), {**params, "table": "grid"}))
    alpha = next(r for r in grid if r["Partnership"] == county.a.name and r["Priority"].startswith("1."))
    assert (alpha["Red"], alpha["Amber"], alpha["Green"], alpha["Total"]) == (1, 1, 1, 4)
    assert all(isinstance(r["Total"], int) for r in grid)
    exceptions = xlsx_rows(client.get(reverse("dashboards:overview"), {**params, "table": "exceptions"}))
    due = next(r["Due"] for r in exceptions if r["Deliverable"] == county.deliverable_a.title)
    assert isinstance(due, datetime.datetime)  # a date cell (openpyxl reads dates back as datetimes)
    assert due.date() == county.deliverable_a.due_date
    measures = xlsx_rows(client.get(reverse("dashboards:overview"), {**params, "table": "measures"}))
    row = next(
        r for r in measures if r["Measure"] == county.measure.name and r["Partnership"] == county.a.name
    )
    assert isinstance(row["Latest quarter's figure"], (int, float)) and row["Latest quarter's figure"] == 40
    assert row["Unit"] == county.measure.get_unit_display()


def test_the_measure_export_has_every_column_the_page_shows_the_target_included(client_for, county):
    target = Target.objects.create(
        measure=county.measure, partnership=county.a, value=300, period=Period.objects.financial_year(2013)
    )
    response = client_for("scrutiny").get(
        county.measure.get_absolute_url(),
        {"quarter": "2011-12-q1", "export": "xlsx", "table": "partnerships"},
    )
    row = next(r for r in xlsx_rows(response) if r["Partnership"] == county.a.name)
    assert (row["Target"], row["Target by"]) == (300, target.period.label)


def test_measure_export_matches_the_measure_page(client_for, county):
    client = client_for("scrutiny")
    url = county.measure.get_absolute_url()
    page = client.get(url, {"quarter": "2011-12-q1"})
    row = page.context["rows"][0]
    response = client.get(url, {"quarter": "2011-12-q1", "export": "csv", "table": "partnerships"})
    first = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert first["Partnership"] == row["partnership"].name
    assert float(first["Latest quarter's figure"]) == float(row["summary"].latest_value)
    assert first["Direction of travel"] == "Improving"


def test_unknown_export_table_is_a_404(client_for, county):
    client, _ = overview(client_for)
    assert client.get(reverse("dashboards:overview"), {"export": "csv", "table": "nope"}).status_code == 404


def test_priority_page_shows_each_partnerships_deliverables_with_rating_and_commentary(client_for, county):
    response = client_for("officer_b").get(
        reverse("dashboards:priority", args=[county.priorities[0].pk]), {"quarter": "2011-12-q1"}
    )
    page = response.content.decode()
    assert "Amber work" in page and "Slipping." in page and county.a.name in page


def test_the_measure_page_draws_limits_for_each_partnership(client_for, county):
    response = client_for("scrutiny").get(county.measure.get_absolute_url(), {"quarter": "2011-12-q1"})
    chart = next(c for c in response.context["charts"] if c["partnership"] == county.a)
    assert {"mean", "upper", "lower", "baseline"} <= set(chart["data"]["lines"])
    # Flagged quarters carry the server's judgement (the chart only draws it): this partnership's
    # direction of travel is "Improving", so its latest flagged quarter is an improvement.
    flags = [f for f in chart["data"]["flags"] if f]
    assert flags and flags[-1] == "improving" and set(flags) <= {"improving", "worsening"}
    assert "higherIsBetter" not in chart["data"]
    assert 'data-chart="xmr"' in response.content.decode()


def test_the_measure_page_assures_against_the_target(client_for, county):
    # A yearly count target of 240 is 60 a quarter: below the lower limit (73.4) of a lower-is-better
    # measure, so the usual quarter misses it every time.
    Target.objects.create(
        measure=county.measure, partnership=county.a, period=Period.objects.financial_year(2013), value=240
    )
    response = client_for("scrutiny").get(county.measure.get_absolute_url(), {"quarter": "2011-12-q1"})
    [row] = [r for r in response.context["rows"] if r["partnership"] == county.a]
    assert row["summary"].trend.result.target == 60
    assert row["summary"].trend.assurance == "fail"
    assert "Target: missed every quarter while the process stays as it is" in response.content.decode()


def test_the_measure_page_draws_each_groups_limits_across_a_series_break(client_for, county):
    SeriesBreak.objects.create(measure=county.measure, starts_on=datetime.date(2011, 4, 1), note="New rules")
    response = client_for("scrutiny").get(county.measure.get_absolute_url(), {"quarter": "2011-12-q4"})
    chart = next(c for c in response.context["charts"] if c["partnership"] == county.a)
    data = chart["data"]
    # 2007/08 Q1 to 2009/10 Q4, twelve steady quarters, then the four at 40 since the break.
    assert data["breakIndex"] == 12 and len(data["labels"]) == 16
    assert data["lines"]["mean"] == [pytest.approx(100)] * 12 + [pytest.approx(40)] * 4
    assert data["lines"]["upper"][:12] == [pytest.approx(126.6)] * 12
    assert data["lines"]["upper"][12:] == [pytest.approx(40)] * 4  # four equal figures: no spread
    assert data["lines"]["lower"][0] == pytest.approx(73.4)
    assert chart["summary"].trend.verdict == "no_change"


def test_the_paper_has_the_seeds_sections(client_for, county):
    response = client_for("scrutiny").get(
        reverse("dashboards:paper"), {"quarter": "2011-12-q1", "partnership": county.a.slug}
    )
    page = response.content.decode()
    for heading in ("Summary", "Context:", "Measures of success", "Exceptions", "What has changed since"):
        assert heading in page
    assert re.search(r"Of 4 deliverables, 1 are green, 1 amber, 1 red and 0 complete; 1 had no update", page)


def test_the_paper_downloads_as_a_pdf(client_for, county):
    response = client_for("scrutiny").get(
        reverse("dashboards:paper"), {"quarter": "2011-12-q1", "format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and len(content) > 5000


def test_the_paper_names_the_quarter_each_measure_is_judged_on(client_for, county):
    """Sweep 15: the paper printed "Latest 12 months" with no period, so figures to an earlier quarter
    read as the paper's own, and their judgements were counted with nothing said."""
    factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2012, 2))
    params = {"quarter": "2012-13-q2", "partnership": county.a.slug}
    response = client_for("scrutiny").get(reverse("dashboards:paper"), params)
    [row] = [
        r for s in response.context["sections"] for r in s["measure_rows"] if r.measure == county.measure
    ]
    assert row.summary.latest_period.label == "2011/12 Q4"  # the world's figures end there
    page = response.content.decode()
    assert '<th scope="col">Latest quarter</th>' in page and "<td>2011/12 Q4</td>" in page
    assert "1 of these is judged on a quarter before 2012/13 Q2, the latest with figures" in page
    # At the measure's own latest quarter nothing is said.
    factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 4))
    page = client_for("scrutiny").get(reverse("dashboards:paper"), {**params, "quarter": "2011-12-q4"})
    assert "judged on a quarter before" not in page.content.decode()


def test_a_measure_page_as_at_a_quarter_shows_no_later_month_or_year(client_for, county):
    """Sweep 15: "Latest monthly and yearly figures" ignored the quarter: a page as at a signed-off
    quarter showed a month and a year after it, and changed with every later import. As at a quarter asked
    for, none after it; the default page (the current view) shows the newest, marked "newer"."""
    for period, value in (
        (Period.objects.month(2011, 6), 31),
        (Period.objects.month(2012, 6), 62),
        (Period.objects.financial_year(2012), 720),
    ):
        factories.MeasureValueFactory(measure=county.measure, area=county.area_a, period=period, value=value)
    url = county.measure.get_absolute_url()
    asked = client_for("scrutiny").get(url, {"quarter": "2011-12-q1"})
    cells = {r["kind"]: r["cells"] for r in asked.context["other_rows"]}
    assert [(p.label, v) for p, v, _ in cells["Calendar month"] if p] == [("June 2011", 31)]
    assert "Financial year" not in cells and not asked.context["other_newer"]
    page = asked.content.decode()
    assert "June 2012" not in page and "ending by the end of 2011/12 Q1" in page
    default = client_for("scrutiny").get(url)
    quarter = default.context["filters"].quarter
    assert quarter.label == "2011/12 Q1" and not default.context["filters"].quarter_given
    cells = {r["kind"]: r["cells"] for r in default.context["other_rows"]}
    assert [(p.label, v, after) for p, v, after in cells["Calendar month"] if p] == [("June 2012", 62, True)]
    assert "are marked “newer”" in default.content.decode()


def test_what_changed_since_the_previous_quarter(client_for, county):
    q2 = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 2))
    factories.DeliverableUpdateFactory(
        deliverable=county.deliverable_a, quarter=q2, rag="green", status="on_track", commentary="Recovered."
    )
    response = client_for("scrutiny").get(reverse("dashboards:paper"), {"quarter": "2011-12-q2"})
    assert f"“{county.deliverable_a.title}” moved from Red to Green" in response.content.decode()


def test_officers_see_the_dashboards_read_only(client_for, county):
    page = client_for("officer_b").get(reverse("dashboards:overview")).content.decode()
    forms = re.findall(r'<form method="post"[^>]*>', page)
    assert forms == ['<form method="post" action="/accounts/logout/">']  # signing out is the only one


def test_many_partnerships_are_shown_a_page_at_a_time_and_exported_whole(client_for, county, settings):
    settings.DASHBOARD_PAGE_SIZE = 1
    client = client_for("scrutiny")
    first = client.get(reverse("dashboards:overview"), {"quarter": "2011-12-q1"})
    second = client.get(reverse("dashboards:overview"), {"quarter": "2011-12-q1", "page": 2})
    assert [r["partnership"] for r in first.context["grid"]["rows"]] == [county.a]
    assert [r["partnership"] for r in second.context["grid"]["rows"]] == [county.b]
    assert "Partnerships 1–1 of 2" in first.content.decode()
    export = client.get(
        reverse("dashboards:overview"), {"quarter": "2011-12-q1", "export": "csv", "table": "grid"}
    )
    assert {row["Partnership"] for row in csv.DictReader(io.StringIO(export.content.decode()))} == {
        county.a.name,
        county.b.name,
    }


def test_pages_of_a_signed_off_quarter_say_which_figures_were_revised_since(client, db):
    """Sweep 15: a revised file changed a signed-off quarter's paper and pages with nothing to say so.
    The pages show the figures as they stand, and say how many were imported since the sign-off, by which
    file and when; rolled back, nothing is said."""
    from django.utils import timezone

    from tests.dashboards.county import County

    county = County()
    client.force_login(county.scrutiny)
    value = MeasureValue.objects.filter(period__end__lte=county.final.period.end).first()
    assert "revised since sign-off" not in client.get(reverse("dashboards:figures")).content.decode()
    batch = factories.ImportBatchFactory(
        file_name="revised.csv", applied_at=timezone.now() + datetime.timedelta(1)
    )
    MeasureValue.objects.filter(pk=value.pk).update(value=value.value + 1, batch=batch)
    label = county.final.period.label
    for url in (reverse("dashboards:figures"), reverse("dashboards:paper"), value.measure.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Figures revised since sign-off." in page, url
        assert f"{label} was signed off on" in page and "1 figure for periods up to it was imported" in page
        assert "1 by “revised.csv” on" in page
    # An import that says what it wrote is looked at only when that reaches the quarter.
    end = county.final.period.end
    for earliest, said in ((end.isoformat(), True), ("2099-01-01", False), ("", False)):
        ImportBatch.objects.filter(pk=batch.pk).update(summary={"earliest_written": earliest})
        page = client.get(reverse("dashboards:figures")).content.decode()
        assert ("Figures revised since sign-off." in page) == said, earliest
    # Not said of a quarter still open, nor once the import is rolled back (its cells hold no longer).
    assert (
        "revised since sign-off"
        not in client.get(reverse("dashboards:figures"), {"quarter": "2012-13-q2"}).content.decode()
    )
    MeasureValue.objects.filter(pk=value.pk).update(value=value.value, batch=None)
    assert "revised since sign-off" not in client.get(reverse("dashboards:figures")).content.decode()
