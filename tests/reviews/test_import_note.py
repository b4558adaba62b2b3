"""The preview of an import says when it writes figures for quarters already signed off (sweep 15)."""

import csv

from measures.importing.layouts import TEMPLATE_COLUMNS
from measures.services import import_file
from tests.dashboards.county import County


def write(tmp_path, rows):
    path = tmp_path / "revision.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows([TEMPLATE_COLUMNS, *rows])
    return path


def test_a_preview_says_when_the_file_revises_a_signed_off_quarter(db, tmp_path):
    county = County()  # 2012/13 Q1 signed off by every partnership; Q2 open
    area, measure = county.first["area"].name, county.measures[0].name
    revising = write(tmp_path, [[area, "", measure, "2012/13 Q1", "999"]])
    batch = import_file(path=revising, dry_run=True)
    said = [n for n in batch.summary["notices"] if "signed off (" in n]
    assert said == [
        "This file writes figures for periods already reported on in a quarter signed off (2012/13 Q1). "
        "Their pages and papers will show the new figures, each saying how many were imported since its "
        "sign-off and by which import; rolling the import back takes them away again."
    ]
    # A figure only for the open quarter: nothing signed off is touched, nothing said.
    later = import_file(path=write(tmp_path, [[area, "", measure, "2012/13 Q2", "999"]]), dry_run=True)
    assert later.error_count == 0, later.summary["errors"]
    assert not any("signed off (" in n for n in later.summary["notices"])
