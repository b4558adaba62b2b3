"""Each real sample file (tests/data/, copies of public ONS and data.police.uk files) previews and imports."""

from decimal import Decimal

from measures.importing.mapping import NOT_OURS, SUBTOTAL, UNASSIGNED
from measures.importing.validate import TRANSPORT_POLICE_REASON
from measures.models import ImportBatch, MeasureValue
from measures.services import import_file
from tests import factories
from tests.measures.conftest import DATA, values

WIDE = DATA / "csp-offences-12-months-wide.csv"
STREET = DATA / "2018-06-thames-valley-street-cut.csv"
TRAFFORD = DATA / "trafford-crime-rate-long.csv"


def skipped(batch) -> dict:
    return {s["reason"]: s["count"] for s in batch.summary["skipped"]}


def test_wide_csp_table_without_a_period_asks_for_one_and_writes_nothing(county):
    batch = import_file(path=WIDE)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["needs"] == "period"
    assert MeasureValue.objects.count() == 0


def test_wide_csp_table_imports_our_five_districts_for_the_period_given(county):
    batch = import_file(path=WIDE, period="year ending March 2019")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    stored = values()
    # Cherwell's row: robbery 82, burglary 361, vehicle 604, theft from the person 127, bicycle 102,
    # shoplifting 1,512, all other theft 1,111.
    assert stored["acquisitive-crime", "Cherwell", "2018/19"] == Decimal(
        82 + 361 + 604 + 127 + 102 + 1512 + 1111
    )
    assert stored["violent-crime", "Vale of White Horse", "2018/19"] == 2777
    assert stored["criminal-damage", "West Oxfordshire", "2018/19"] == 460
    assert len(stored) == 15  # 3 measures x 5 districts
    assert batch.new_count == 15
    reasons = skipped(batch)
    assert reasons[NOT_OURS] > 300  # the rest of England and Wales
    assert reasons[UNASSIGNED] == 42  # "Unassigned <force>" rows, one of them all blank
    source = MeasureValue.objects.first().source
    assert "csp-offences-12-months-wide.csv" in source and "2018/19" in source


def test_street_level_file_counts_crimes_per_district_and_month(county):
    batch = import_file(path=STREET)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    stored = values()
    # Cherwell's June 2018 rows in the cut: bicycle 14, burglary 43, other theft 104, robbery 4,
    # shoplifting 127, theft from the person 22, vehicle crime 73.
    assert stored["acquisitive-crime", "Cherwell", "June 2018"] == 14 + 43 + 104 + 4 + 127 + 22 + 73
    assert stored["anti-social-behaviour", "Cherwell", "June 2018"] == 165
    assert stored["criminal-damage", "Oxford", "June 2018"] == 17
    # No robbery in Oxford's rows, no theft from the person in South Oxfordshire's: zero, not missing.
    assert stored["acquisitive-crime", "South Oxfordshire", "June 2018"] == 8 + 17 + 1 + 8 + 7
    reasons = skipped(batch)
    assert reasons["Crimes with no location (no LSOA), not counted"] == 50
    examples = dict(next(s["examples"] for s in batch.summary["skipped"] if s["reason"] == NOT_OURS))
    assert examples["Aylesbury Vale"] == 1069  # an old district name, not ours


def test_long_open_data_table_reads_financial_and_calendar_years_and_never_reads_colon_as_zero(county):
    trafford = factories.AreaFactory(name="Trafford", slug="trafford")
    rate = factories.MeasureFactory(
        name="Violence rate", slug="violence-rate", unit="rate_1000", aggregation="weighted"
    )
    factories.MeasureComponentFactory(measure=rate, label="Offence rate: Violence against the person")
    for label in ("Total recorded crime", "Robbery", "Theft offences", "Other crimes against society"):
        factories.IgnoredLabelFactory(label=f"Offence rate: {label}")
    factories.IgnoredLabelFactory(label="Offence rate: Criminal damage and arson")
    # Rates must not land in count measures: Robbery and the others are counts here.
    batch = import_file(path=TRAFFORD)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    stored = values(rate)
    assert stored["violence-rate", "Trafford", "2008/09"] == Decimal("8.7300")
    assert stored["violence-rate", "Trafford", "12 months to Dec 2018"] is not None
    assert len(stored) == 13  # 2008/09 to 2018/19, plus calendar 2018 and 2019
    reasons = skipped(batch)
    assert reasons[SUBTOTAL] == 182  # England (E92) and Greater Manchester (E23)
    assert not MeasureValue.objects.filter(area=trafford, value=0).exists()
    assert not MeasureValue.objects.filter(measure=county.violent).exists()


def test_long_table_rates_are_not_imported_into_count_measures(county):
    factories.AreaFactory(name="Trafford", slug="trafford")
    batch = import_file(path=TRAFFORD, dry_run=True)
    reasons = skipped(batch)
    assert reasons["Rates or percentages not imported into measures counted in numbers"] > 0
    assert batch.new_count == 0


def transport_police(text: str) -> str:
    """The cut street file's rows, as the British Transport Police's file for the same month has them."""
    return text.replace(
        "Thames Valley Police,Thames Valley Police", "British Transport Police,British Transport Police"
    )


def test_british_transport_police_rows_are_skipped_and_never_replace_the_forces_figures(county, tmp_path):
    assert import_file(path=STREET).status == ImportBatch.Status.APPLIED
    before = values()
    lines = STREET.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    # The force's file with a few of the BTP's crimes in Oxford added: the BTP's are skipped, not counted.
    btp_rows = [transport_police(line) for line in lines[1:] if ",Oxford 0" in line][:8]
    mixed = tmp_path / "with-btp.csv"
    mixed.write_text("".join(lines + btp_rows), encoding="utf-8")
    batch = import_file(path=mixed)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert batch.changed_count == 0 and values() == before
    assert skipped(batch)[TRANSPORT_POLICE_REASON] == 8
    # The BTP's own file for the month: nothing ours, refused saying what it is.
    alone = tmp_path / "btp-street.csv"
    alone.write_text(lines[0] + "".join(btp_rows), encoding="utf-8")
    batch = import_file(path=alone)
    assert batch.status == ImportBatch.Status.FAILED
    assert "British Transport Police crimes (8 rows)" in batch.summary["errors"][0]["message"]
    assert values() == before


def test_a_part_of_a_months_crimes_is_flagged_before_it_replaces_the_whole(county, tmp_path):
    """A street file filtered to a few crimes would store its counts (and zeros for the types it lacks)
    over the whole month's: each figure far below the one stored for its cell is flagged first."""
    assert import_file(path=STREET).status == ImportBatch.Status.APPLIED
    before = values()
    lines = STREET.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    part = tmp_path / "extract.csv"
    part.write_text(
        lines[0] + "".join([line for line in lines[1:] if ",Cherwell 0" in line][:20]), encoding="utf-8"
    )
    preview = import_file(path=part, dry_run=True)
    assert preview.summary["flagged_count"] >= 1
    flags = [f["flag"] for f in preview.summary["flagged"]]
    assert any("would replace" in flag and "stored for the same period" in flag for flag in flags), flags
    batch = import_file(path=part)
    assert batch.status == ImportBatch.Status.FAILED and "--yes" in batch.summary["errors"][0]["message"]
    assert values() == before
