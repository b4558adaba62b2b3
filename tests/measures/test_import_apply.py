"""All or nothing, the same file twice changes nothing, rollback restores, the CLI matches the page."""

import io
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from measures.models import ImportBatch, ImportChange, MeasureComponent, MeasureValue, Period
from measures.services import import_batch_rollback, import_file
from tests import factories
from tests.measures.conftest import DATA, confirm, values, write_csv

HEADER = "area,measure or offence,period,value\n"


def test_an_error_in_the_last_row_writes_nothing(county, tmp_path):
    rows = "".join(f"Cherwell,Violent crime,2011/12 Q{q},{q}\n" for q in (1, 2, 3, 4))
    path = write_csv(tmp_path, "last-row.csv", HEADER + rows + "Oxford,Violent crime,2011/12,twelve\n")
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"] == [
        {"row": 6, "cell": "column D (value)", "message": "The value “twelve” is not a number"}
    ]
    assert MeasureValue.objects.count() == 0
    assert not Period.objects.exists()  # not even the periods


def test_importing_the_same_file_twice_changes_nothing(county):
    first = import_file(path=DATA / "csp-offences-12-months-wide.csv", period="2018/19")
    before = list(MeasureValue.objects.order_by("pk").values_list("pk", "value", "batch_id", "updated_at"))
    second = import_file(path=DATA / "csp-offences-12-months-wide.csv", period="2018/19")
    assert (second.new_count, second.changed_count, second.unchanged_count) == (0, 0, first.new_count)
    assert (
        list(MeasureValue.objects.order_by("pk").values_list("pk", "value", "batch_id", "updated_at"))
        == before
    )
    assert any("imported before" in n for n in second.summary["notices"])


def test_rollback_restores_previous_values_and_removes_new_ones(county, tmp_path):
    q1 = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(
        measure=county.violent, area=county.areas["Cherwell"], period=q1, value=50, source="old"
    )
    path = write_csv(
        tmp_path,
        "update.csv",
        HEADER + "Cherwell,Violent crime,2011/12 Q1,55\nOxford,Violent crime,2011/12 Q1,70\n",
    )
    batch = import_file(path=path)
    assert (batch.new_count, batch.changed_count) == (1, 1)
    assert ImportChange.objects.filter(batch=batch).count() == 1
    assert values(county.violent) == {
        ("violent-crime", "Cherwell", "2011/12 Q1"): Decimal(55),
        ("violent-crime", "Oxford", "2011/12 Q1"): Decimal(70),
    }
    counts = import_batch_rollback(batch=batch, user=county.admin)
    assert counts == {"restored": 1, "removed": 1, "kept": 0}
    restored = MeasureValue.objects.get()
    assert (restored.value, restored.source, restored.batch) == (50, "old", None)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ROLLED_BACK


def test_an_unchanged_cell_leaves_no_record_to_roll_back(county, tmp_path):
    """Only a changed cell's previous value is kept: an unchanged one is not written, so rolling back
    restores nothing there and reports no cell as written since by another import."""
    rows = "Cherwell,Violent crime,2011/12 Q1,{}\nOxford,Violent crime,2011/12 Q1,60\n"
    first = import_file(path=write_csv(tmp_path, "a.csv", HEADER + rows.format(50)))
    second = import_file(path=write_csv(tmp_path, "b.csv", HEADER + rows.format(55)))
    assert (second.changed_count, second.unchanged_count) == (1, 1)
    assert list(ImportChange.objects.filter(batch=second).values_list("area__name", "previous_batch")) == [
        ("Cherwell", first.pk)
    ]
    assert import_batch_rollback(batch=second, user=county.admin) == {"restored": 1, "removed": 0, "kept": 0}
    assert dict(MeasureValue.objects.values_list("area__name", "batch")) == {
        "Cherwell": first.pk,
        "Oxford": first.pk,
    }


def test_rollback_leaves_values_a_later_import_changed(county, tmp_path):
    first = import_file(path=write_csv(tmp_path, "a.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,1\n"))
    second = import_file(path=write_csv(tmp_path, "b.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,2\n"))
    assert import_batch_rollback(batch=first, user=None) == {"restored": 0, "removed": 0, "kept": 0}
    assert MeasureValue.objects.get().value == 2
    import_batch_rollback(batch=second, user=None)
    # The first import, which created the cell, is rolled back too: the cell goes (issue 13's third
    # sweep: the first import's 1 came back, marked with a rolled-back batch).
    assert not MeasureValue.objects.exists()


def test_rolling_back_overlapping_imports_in_any_order_restores_the_figure_before_them(county, tmp_path):
    """A (3000), then B (2300), then C (2999) on one cell: rolling back B (kept: C wrote the cell since),
    then C, puts back A's 3000, as it was before either; and C's rollback of a cell B created removes it."""

    def imported(name, rows):
        return import_file(path=write_csv(tmp_path, name, HEADER + rows))

    a = imported("a.csv", "Cherwell,Violent crime,2011/12 Q1,3000\n")
    b = imported("b.csv", "Cherwell,Violent crime,2011/12 Q1,2300\nOxford,Violent crime,2011/12 Q1,40\n")
    c = imported("c.csv", "Cherwell,Violent crime,2011/12 Q1,2999\nOxford,Violent crime,2011/12 Q1,41\n")
    assert import_batch_rollback(batch=b, user=None) == {"restored": 0, "removed": 0, "kept": 1}
    assert values(county.violent) == {
        ("violent-crime", "Cherwell", "2011/12 Q1"): 2999,
        ("violent-crime", "Oxford", "2011/12 Q1"): 41,
    }
    assert import_batch_rollback(batch=c, user=None) == {"restored": 1, "removed": 1, "kept": 0}
    cell = MeasureValue.objects.get()
    assert (cell.area.name, cell.value, cell.batch_id) == ("Cherwell", 3000, a.pk)


def test_the_command_line_gives_the_same_figures_as_the_page(client, county, tmp_path):
    street = DATA / "2018-06-thames-valley-street-cut.csv"
    call_command("import_performance", str(street), stdout=io.StringIO())
    by_command = values()
    cli_batch = ImportBatch.objects.get()
    import_batch_rollback(batch=cli_batch, user=None)
    assert MeasureValue.objects.count() == 0

    client.force_login(county.admin)
    with open(street, "rb") as f:
        response = client.post(reverse("measures:imports"), {"file": f})
    page_batch = ImportBatch.objects.exclude(pk=cli_batch.pk).get()
    assert response.url == page_batch.get_absolute_url()
    confirm(client, page_batch)
    assert values() == by_command
    page_batch.refresh_from_db()
    assert page_batch.summary["skipped"] == cli_batch.summary["skipped"]
    assert (page_batch.new_count, page_batch.rows_read) == (cli_batch.new_count, cli_batch.rows_read)


def test_the_command_exits_non_zero_and_prints_the_errors(county, tmp_path):
    path = write_csv(tmp_path, "bad.csv", HEADER + "Cherwell,Violent crime,2011/12,=1+1\n")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_performance", str(path), stdout=out, stderr=err)
    except CommandError as error:
        assert "nothing was imported" in str(error)
    else:
        raise AssertionError("the command should fail")
    assert "row 2" in err.getvalue() and "formulas are refused" in err.getvalue()
    assert MeasureValue.objects.count() == 0


def test_dry_run_writes_nothing_not_even_a_batch(county):
    out = io.StringIO()
    call_command("import_performance", str(DATA / "csp-offences-12-months-wide.csv"), "--period", "2018/19",
                 "--dry-run", stdout=out)  # fmt: skip
    assert "15 new" in out.getvalue()
    assert MeasureValue.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_rollback_restores_a_previous_source_with_tabs_backslashes_and_line_breaks(county, tmp_path):
    # On PostgreSQL previous values go through COPY's text format, which escapes these characters.
    q1 = Period.objects.financial_quarter(2011, 1)
    source = "Old\tfile \\\\server\\share\nsecond line\r"
    factories.MeasureValueFactory(
        measure=county.violent, area=county.areas["Oxford"], period=q1, value=Decimal("1.5"), source=source
    )
    first = import_file(path=write_csv(tmp_path, "a.csv", HEADER + "Oxford,Violent crime,2011/12 Q1,2.25\n"))
    second = import_file(path=write_csv(tmp_path, "b.csv", HEADER + "Oxford,Violent crime,2011/12 Q1,3\n"))
    change = ImportChange.objects.get(batch=second)
    assert (change.previous_value, change.previous_batch) == (Decimal("2.25"), first)
    import_batch_rollback(batch=second, user=None)
    import_batch_rollback(batch=first, user=None)
    restored = MeasureValue.objects.get()
    assert (restored.value, restored.source, restored.batch) == (Decimal("1.5"), source, None)


def test_figures_written_in_several_chunks_roll_back_together(county, tmp_path, monkeypatch):
    # PostgreSQL COPYs figures and previous values every COPY_BATCH rows; two rows a chunk here.
    monkeypatch.setattr("measures.importing.writing.COPY_BATCH", 2)
    monkeypatch.setattr("measures.importing.writing.WRITE_BATCH", 2)
    quarters = [Period.objects.financial_quarter(2011, q) for q in (1, 2, 3, 4)]
    for q, period in enumerate(quarters[:3], start=1):
        factories.MeasureValueFactory(
            measure=county.violent, area=county.areas["Cherwell"], period=period, value=q * 8, source="old"
        )
    rows = "".join(
        f"{area},Violent crime,2011/12 Q{q},{q * 10}\n"
        for area in ("Cherwell", "Oxford")
        for q in (1, 2, 3, 4)
    )
    batch = import_file(path=write_csv(tmp_path, "chunks.csv", HEADER + rows))
    assert (batch.new_count, batch.changed_count) == (5, 3)
    assert ImportChange.objects.filter(batch=batch).count() == 3
    assert MeasureValue.objects.filter(batch=batch).count() == 8
    assert import_batch_rollback(batch=batch, user=None) == {"restored": 3, "removed": 5, "kept": 0}
    assert sorted(MeasureValue.objects.values_list("value", "source")) == [
        (8, "old"),
        (16, "old"),
        (24, "old"),
    ]


def test_rolling_back_keeps_the_cells_a_later_import_wrote(county, tmp_path):
    """A rollback puts back only the cells the batch still holds: a cell a later import wrote stays
    as that import left it, whether the rolled-back batch changed it or created it."""
    q1, q2, q3 = (Period.objects.financial_quarter(2011, q) for q in (1, 2, 3))
    oxford, cherwell = county.areas["Oxford"], county.areas["Cherwell"]
    for area in (oxford, cherwell):
        factories.MeasureValueFactory(measure=county.violent, area=area, period=q1, value=1, source="old")
    first = import_file(
        path=write_csv(
            tmp_path,
            "first.csv",
            HEADER + "Oxford,Violent crime,2011/12 Q1,2\nCherwell,Violent crime,2011/12 Q1,2\n"
            "Oxford,Violent crime,2011/12 Q2,5\nCherwell,Violent crime,2011/12 Q2,5\n"
            "Oxford,Violent crime,2011/12 Q3,7\n",
        )
    )
    later = import_file(
        path=write_csv(
            tmp_path,
            "later.csv",
            HEADER + "Oxford,Violent crime,2011/12 Q1,3\nOxford,Violent crime,2011/12 Q2,6\n",
        )
    )
    assert (later.changed_count, later.new_count) == (2, 0)
    counts = import_batch_rollback(batch=first, user=None)
    assert counts == {"restored": 1, "removed": 2, "kept": 1}
    held = {(v.area_id, v.period_id): (v.value, v.batch_id) for v in MeasureValue.objects.all()}
    assert held == {
        (oxford.pk, q1.pk): (3, later.pk),  # changed by both: the later import's value stays
        (cherwell.pk, q1.pk): (1, None),  # changed by the first only: put back
        (oxford.pk, q2.pk): (6, later.pk),  # created by the first, changed later: stays
    }  # Cherwell Q2 and Oxford Q3, created by the first and untouched since, are gone


def test_a_preview_the_stored_figures_changed_under_is_not_imported(county, tmp_path):
    """Issue 13's fourth sweep: a preview saying "importing it changes nothing", then a rollback on the
    command line, then Import in the browser wrote 5 new figures the preview never showed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from measures.services import import_batch_apply, import_batch_create, import_batch_preview

    street = DATA / "2018-06-thames-valley-street-cut.csv"
    first = import_file(path=street)
    assert first.status == ImportBatch.Status.APPLIED
    upload = SimpleUploadedFile(street.name, street.read_bytes())
    batch = import_batch_preview(batch=import_batch_create(user=county.admin, uploaded_file=upload))
    assert (batch.status, batch.new_count, batch.changed_count) == (ImportBatch.Status.PREVIEWED, 0, 0)
    import_batch_rollback(batch=first, user=county.admin)
    batch = import_batch_apply(batch=batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"].startswith(
        "The stored figures, or the mapping, have changed since this preview (another import, a rollback or "
        "a new mapping since): it showed 0 new and 0 changed figures, and importing now would write"
    )
    assert not MeasureValue.objects.exists()


def test_a_preview_is_not_imported_when_the_same_number_of_figures_would_now_be_other_values(
    county, tmp_path
):
    """Issue 13's re-check: a preview showed 25 -> 27; another import stored 30; confirming the old preview
    wrote 27 over 30. And a mapping changed after the preview wrote other sums than it showed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from measures.services import import_batch_apply, import_batch_create, import_batch_preview

    def preview(text):
        upload = SimpleUploadedFile("figures.csv", text.encode())
        return import_batch_preview(batch=import_batch_create(user=county.admin, uploaded_file=upload))

    header = "area,measure or offence,period,value\n"
    import_file(path=write_csv(tmp_path, "a.csv", header + "Cherwell,Violent crime,2011/12,25\n"))
    shown = preview(header + "Cherwell,Violent crime,2011/12,27\n")
    assert (shown.changed_count, shown.new_count) == (1, 0)
    import_file(path=write_csv(tmp_path, "b.csv", header + "Cherwell,Violent crime,2011/12,30\n"))
    assert import_batch_apply(batch=shown).status == ImportBatch.Status.FAILED  # 30 -> 27, not 25 -> 27
    assert values()["violent-crime", "Cherwell", "2011/12"] == 30
    lines = preview(header + "Oxford,Robbery,2011/12,5\nOxford,Shoplifting,2011/12,7\n")
    assert lines.new_count == 1
    MeasureComponent.objects.filter(label="Shoplifting").delete()
    ImportBatch.objects.filter(pk=lines.pk).update(summary={**lines.summary, "incomplete": []})
    lines.refresh_from_db()
    refused = import_batch_apply(batch=lines, confirmed=True)
    assert refused.status == ImportBatch.Status.FAILED
    assert refused.summary["errors"][0]["message"].startswith(
        "The stored figures, or the mapping, have changed"
    )
    assert ("acquisitive-crime", "Oxford", "2011/12") not in values()
