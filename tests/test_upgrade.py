"""A database made by main before the five-app layout upgrades with ``manage.py migrate`` and keeps
every row.

tests/data/demo-before-five-apps.sqlite3.gz was made by main at 0986004 (the last commit with the
review models in the strategies app): ``migrate``, ``load_demo``, then an evidence link and a user
permission on quarterly reviews added by hand. The test copies it, migrates it with today's code and
compares every table, row by row, before and after.
"""

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
from ast import literal_eval
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD_DATABASE = ROOT / "tests" / "data" / "demo-before-five-apps.sqlite3.gz"
# Tables whose rows the upgrade is meant to change: the record of migrations, and the moved models'
# content types (relabelled from strategies to reviews, keeping their ids and so their permissions).
CHANGED_ON_PURPOSE = {"django_migrations", "django_content_type"}
MOVED = ["quarterlyreview", "reviewevent", "deliverableupdate", "evidence", "reportingquarter"]


def snapshot(path: Path, columns: dict[str, list[str]] | None = None) -> dict[str, tuple[list[str], set]]:
    """table -> (its columns, its rows), read with sqlite3 itself, not through Django. With ``columns``,
    only those columns (the ones a table had before the upgrade)."""
    connection = sqlite3.connect(path)
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    result = {}
    for table in tables:
        names = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
        if columns is not None and table in columns:
            names = columns[table]
        selected = ", ".join(f'"{c}"' for c in names)
        result[table] = (
            names,
            {repr(row) for row in connection.execute(f'SELECT {selected} FROM "{table}"')},
        )
    connection.close()
    return result


def manage(db: Path, *args) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_ENGINE": "sqlite",
        "DATABASE_NAME": str(db),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_database_from_before_the_five_apps_migrates_and_keeps_every_row(tmp_path):
    db = tmp_path / "demo.sqlite3"
    with gzip.open(OLD_DATABASE, "rb") as source, open(db, "wb") as target:
        shutil.copyfileobj(source, target)
    before = snapshot(db)
    assert len(before["strategies_quarterlyreview"][1]) == 12 and len(before["strategies_evidence"][1]) == 1

    manage(db, "migrate", "--noinput")

    after = snapshot(db, columns={table: names for table, (names, _) in before.items()})
    assert set(after) >= set(before), f"tables lost: {set(before) - set(after)}"
    # Every row of every table is still there, column for column (new columns and tables aside) ...
    lost = {t for t in before if not before[t][1] <= after[t][1]} - CHANGED_ON_PURPOSE
    assert not lost, f"rows changed or lost in {sorted(lost)}"
    # ... and nothing was added, but for the permissions and content types of models added since.
    grown = (
        {t for t in before if len(before[t][1]) != len(after[t][1])}
        - CHANGED_ON_PURPOSE
        - {"auth_permission"}
    )
    assert not grown, f"rows added to {sorted(grown)}"
    moved = {
        row
        for row in before["django_content_type"][1]
        if "'strategies'" in row and any(m in row for m in MOVED)
    }
    assert moved and not moved & after["django_content_type"][1]  # relabelled, not copied

    # Today's code reads the same rows through the reviews app, and the permission still applies.
    out = manage(db, "shell", "-c", READ_BACK.format(moved=MOVED))
    found = literal_eval(out.strip().splitlines()[-1])
    assert found["reviews"] == 12 and found["evidence"] == 1
    assert found["updates"] == len(before["strategies_deliverableupdate"][1])
    assert found["history"] and found["events"]
    assert found["links"] == len(before["measures_measure_priorities"][1]) > 0
    assert found["labels"] == ["reviews"]
    assert found["permitted"]


READ_BACK = """
from django.contrib.contenttypes.models import ContentType
from partnerships.models import User
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReviewEvent
from strategies.models import Priority
labels = ContentType.objects.filter(model__in={moved!r}).values_list("app_label", flat=True)
print(repr(dict(
    reviews=QuarterlyReview.objects.count(),
    updates=DeliverableUpdate.objects.count(),
    evidence=Evidence.objects.count(),
    history=DeliverableUpdate.history.exists(),
    events=ReviewEvent.objects.exists(),
    links=Priority.measures.through.objects.count(),
    labels=sorted(set(labels)),
    permitted=User.objects.get(username="scrutiny.chair").has_perm("reviews.view_quarterlyreview"),
)))
"""
