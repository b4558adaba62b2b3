"""Dashboard render times at national scale.

Builds about 300 partnerships (one district each) x 15 years of quarters (60) x 20 measures
(360,000 figures), a strategy per partnership with 15 deliverables rated for the latest quarter,
then renders each dashboard page and the committee paper as a scrutiny member, through Django's
full request path (middleware, views, templates), and prints p50 and p95 times and query counts.

    python bench/dashboard_bench.py                 # SQLite file in /tmp
    DATABASE_ENGINE=postgresql DATABASE_PORT=... python bench/dashboard_bench.py

Options: --partnerships N (300), --measures N (20), --years N (15), --runs N (20), --keep
(reuse the database built by an earlier run with the same sizes).
"""

import argparse
import datetime
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_NAME", "/tmp/csp-dashboard-bench.sqlite3")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from dashboards.models import Paper  # noqa: E402
from measures.figures import kept_judgements  # noqa: E402
from measures.models import Baseline, Measure, MeasureValue, Period  # noqa: E402
from partnerships.models import Area, Partnership, PartnershipArea, User  # noqa: E402
from reviews.models import DeliverableUpdate, ReportingQuarter  # noqa: E402
from strategies.models import Deliverable, Framework, Objective, Priority, Strategy  # noqa: E402

FIRST_YEAR = 2008


def build(n_partnerships: int, n_measures: int, n_years: int) -> None:
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    quarters = [
        Period.objects.financial_quarter(FIRST_YEAR + y, q) for y in range(n_years) for q in (1, 2, 3, 4)
    ]
    baseline_year = Period.objects.financial_year(2010)
    areas = Area.objects.bulk_create(
        Area(name=f"District {i:03d}", slug=f"district-{i:03d}", population=100_000 + i * 500)
        for i in range(n_partnerships)
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(name=f"Partnership {i:03d}", short_name=f"P{i:03d}", slug=f"partnership-{i:03d}")
        for i in range(n_partnerships)
    )
    PartnershipArea.objects.bulk_create(
        PartnershipArea(partnership=p, area=a, start=datetime.date(2004, 4, 1))
        for p, a in zip(partnerships, areas, strict=True)
    )
    framework = Framework.objects.create(name="National framework", county="England", first_year=2008)
    priorities = [
        Priority.objects.create(
            framework=framework, number=n, title=f"Priority {n}", context="Why it matters."
        )
        for n in (1, 2, 3)
    ]
    measures = Measure.objects.bulk_create(
        Measure(
            name=f"Measure {m:02d}",
            slug=f"measure-{m:02d}",
            unit="count",
            desired_direction="down" if m % 3 else "up",
            order=m,
        )
        for m in range(n_measures)
    )
    for i, measure in enumerate(measures):
        measure.priorities.add(priorities[i % 3])
    rows = []
    for m, measure in enumerate(measures):
        for a, area in enumerate(areas):
            level = 100 + (a * 7 + m * 13) % 400
            for t, period in enumerate(quarters):
                rows.append(
                    MeasureValue(
                        measure=measure, area=area, period=period, value=level + (t * 37 + a) % 23 - t // 8
                    )
                )
        if len(rows) > 50_000:
            MeasureValue.objects.bulk_create(rows, batch_size=5000)
            rows = []
    MeasureValue.objects.bulk_create(rows, batch_size=5000)
    Baseline.objects.bulk_create(
        Baseline(measure=m, partnership=p, period=baseline_year, value=400)
        for m in measures
        for p in partnerships
    )
    last_year = FIRST_YEAR + n_years - 1
    strategies = Strategy.objects.bulk_create(
        Strategy(
            partnership=p,
            framework=framework,
            first_year=last_year - 1,
            last_year=last_year + 1,
            status="adopted",
        )
        for p in partnerships
    )
    objectives = Objective.objects.bulk_create(
        Objective(strategy=s, priority=priorities[k % 3], title=f"Objective {k}")
        for s in strategies
        for k in range(5)
    )
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            objective=o,
            title=f"Deliverable {o.pk}-{k}",
            lead_agency="Police",
            due_date=datetime.date(last_year + 1, 3, 31),
            status="on_track",
        )
        for o in objectives
        for k in range(3)
    )
    period = quarters[-1]
    quarter = ReportingQuarter.objects.create(period=period, status="open", opens_on=period.end)
    rags = ["green", "green", "amber", "red", "green"]
    DeliverableUpdate.objects.bulk_create(
        DeliverableUpdate(
            deliverable=d,
            quarter=quarter,
            status="on_track",
            rag=rags[i % 5],
            progress=50,
            commentary="Progress reported at the board." if rags[i % 5] == "green" else "Slipping: see plan.",
        )
        for i, d in enumerate(deliverables)
    )
    User.objects.create(username="bench.scrutiny", is_scrutiny_member=True)
    print(
        f"Built {n_partnerships} partnerships x {len(quarters)} quarters x {n_measures} measures = "
        f"{MeasureValue.objects.count():,} figures, {len(deliverables):,} deliverables "
        f"in {time.perf_counter() - started:.1f} s"
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def measure(client: Client, url: str, runs: int, cold: bool = False) -> tuple[float, float, int, int]:
    """p50 and p95 of ``runs`` requests; ``cold``: as the first request after the figures change would be:
    a paper's PDF typeset every time (the file kept from the run before is thrown away first), and every
    measure judged afresh (the judgements kept for the figures' version are dropped first)."""
    client.get(url)  # warm caches (templates, the database's pages)
    times = []
    for _ in range(runs):
        if cold:
            Paper.objects.all().delete()
            kept_judgements.clear()
        started = time.perf_counter()
        response = client.get(url)
        body(response)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if cold:
        Paper.objects.all().delete()
        kept_judgements.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        content = body(response)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(captured), len(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=300)
    parser.add_argument("--measures", type=int, default=20)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse the database from an earlier run")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not (args.keep and Partnership.objects.count() == args.partnerships):
        build(args.partnerships, args.measures, args.years)
        # Statistics, as a database in service has them (PostgreSQL's autovacuum would take its time, and
        # until then plans a query on a 720,000-row table as if it were empty).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(User.objects.get(username="bench.scrutiny"))
    # As config/wsgi.py does once the application is loaded (see the note there).
    gc.freeze()
    first = Partnership.objects.order_by("name").first()
    priority = Priority.objects.order_by("number").first()
    measure_obj = Measure.objects.order_by("order").first()
    overview = reverse("dashboards:overview")
    pages = {
        "county overview": overview,
        "county overview, judged afresh": overview,
        "county overview, one partnership": f"{overview}?partnership={first.slug}",
        "priority page": reverse("dashboards:priority", args=[priority.pk]),
        "priority page, judged afresh": reverse("dashboards:priority", args=[priority.pk]),
        "every measure's figures": reverse("dashboards:figures"),
        "partnership page": first.get_absolute_url(),
        "measure page": measure_obj.get_absolute_url(),
        "committee paper (HTML)": reverse("dashboards:paper"),
        "committee paper, one partnership (PDF, typeset)": (
            f"{reverse('dashboards:paper')}?partnership={first.slug}&format=pdf"
        ),
        "committee paper, one partnership (PDF, kept)": (
            f"{reverse('dashboards:paper')}?partnership={first.slug}&format=pdf"
        ),
        "how we judge": reverse("dashboards:how_we_judge"),
    }
    engine = connection.vendor
    print(
        f"\nDashboard render times on {engine}, {args.runs} runs each (Django test client, full request path)"
    )
    print(f"{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>8}")
    for name, url in pages.items():
        runs = max(3, args.runs // 5) if "paper" in name else args.runs
        p50, p95, queries, size = measure(client, url, runs, cold="typeset" in name or "afresh" in name)
        print(f"{name:42} {p50:8.1f} {p95:8.1f} {queries:8d} {size / 1024:8.0f}")
        reset_queries()


if __name__ == "__main__":
    main()
