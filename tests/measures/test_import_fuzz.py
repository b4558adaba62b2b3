"""Property-based: malformed files thrown at the importer never crash it and never write half a file.

Hypothesis builds files that are nearly right (our template's header with random cells, formula-like
text, suppression markers, odd numbers, unknown areas and periods) and plain garbage. Whatever comes
in, the importer either refuses the file with a plain message (ImportFileError) or returns a batch;
if that batch has any error, no figure in the database has changed.
"""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.importing.readers import ImportFileError
from measures.models import ImportBatch, MeasureValue
from measures.services import import_file

HEADER = "area,measure or offence,period,value\n"
AREAS = ["Cherwell", "Oxford", "South Oxfordshire", "Nowhere", "E07000177", "", "=cmd|' /C calc'!A0"]
LINES = ["Burglary", "Robbery", "Shoplifting", "Unknown offence", "", "@SUM(1)"]
PERIODS = ["2011/12 Q1", "2011/12", "June 2018", "year ending March 2019", "Q5 2011", "", "+1"]
VALUES = st.one_of(
    st.integers(min_value=-5, max_value=10**7).map(str),
    st.sampled_from(["", "[x]", ":", "..", "[u]", "1,234", "12.5", "abc", "-", "=1+1", "1e9", "²"]),
)
CELLS = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)

ROW = st.tuples(
    st.one_of(st.sampled_from(AREAS), CELLS),
    st.one_of(st.sampled_from(LINES), CELLS),
    st.one_of(st.sampled_from(PERIODS), CELLS),
    VALUES,
)


def csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def snapshot():
    return sorted(MeasureValue.objects.values_list("measure_id", "area_id", "period_id", "value"))


def run(tmp_dir: Path, name: str, content: bytes):
    path = tmp_dir / name
    path.write_bytes(content)
    try:
        return import_file(path=path)
    except ImportFileError as error:
        assert str(error).strip()  # a plain message, never an empty one
        return None


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(rows=st.lists(ROW, min_size=1, max_size=12))
def test_nearly_right_template_files_never_crash_or_half_write(county, rows):
    before = snapshot()
    text = HEADER + "".join(",".join(csv_cell(c) for c in row) + "\n" for row in rows)
    with tempfile.TemporaryDirectory() as tmp:
        batch = run(Path(tmp), "figures.csv", text.encode())
    if batch is None or batch.error_count or batch.status == ImportBatch.Status.FAILED:
        assert snapshot() == before


@FUZZ
@given(content=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".ods", ".txt"]))
def test_garbage_never_crashes_or_writes(county, content, suffix):
    before = snapshot()
    with tempfile.TemporaryDirectory() as tmp:
        batch = run(Path(tmp), f"upload{suffix}", content)
    if batch is None or batch.error_count:
        assert snapshot() == before
