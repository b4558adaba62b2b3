"""A data.police.uk download uploaded as it comes: a zip of month folders of CSV files."""

import csv
import io
import zipfile

from django.urls import reverse

from measures.importing.readers import Workbook
from measures.importing.rollback import rollback
from measures.models import ImportBatch, MeasureValue
from measures.services import import_file
from tests.measures.conftest import DATA, confirm, values

STREET = DATA / "2018-06-thames-valley-street-cut.csv"
OUTCOMES_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\r\n"
)


def street_months():
    """The real June 2018 cut, and the same crimes as July's (their own Crime IDs)."""
    with open(STREET, newline="") as f:
        header, *june = list(csv.reader(f))
    july = [[f"x{row[0]}" if row[0] else "", "2018-07", *row[2:]] for row in june]
    return header, june, july


def text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def write_zip(tmp_path, name, members: dict):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return path


def download(tmp_path, june=None, july=None, name="download.zip"):
    header, real_june, real_july = street_months()
    return write_zip(
        tmp_path,
        name,
        {
            # Out of order in the zip: the months are read in their names' order.
            "2018-07/2018-07-thames-valley-street.csv": text([header] + (july or real_july)),
            "2018-06/2018-06-thames-valley-outcomes.csv": OUTCOMES_HEADER,
            "2018-06/2018-06-thames-valley-street.csv": text([header] + (june or real_june)),
            "2018-06/2018-06-thames-valley-stop-and-search.csv": "Type,Date,Part of a policing operation\r\n",
        },
    )


def test_a_download_s_street_files_import_as_one_table_and_roll_back(county, tmp_path):
    single = import_file(path=STREET, dry_run=True)
    batch = import_file(path=download(tmp_path))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    stored = values()
    for month in ("June 2018", "July 2018"):  # the numbers of the test of the June file alone
        assert stored["acquisitive-crime", "Cherwell", month] == 14 + 43 + 104 + 4 + 127 + 22 + 73
        assert stored["anti-social-behaviour", "Cherwell", month] == 165
        assert stored["criminal-damage", "Oxford", month] == 17
    assert batch.new_count == 2 * single.new_count
    assert batch.summary["rows_read"] == 2 * single.summary["rows_read"]  # each file's header once
    notice = " ".join(batch.summary["notices"])
    assert (
        "Read from the zip: 2 files, 2018-06/2018-06-thames-valley-street.csv to "
        "2018-07/2018-07-thames-valley-street.csv. Not read: outcomes, stop-and-search." in notice
    )
    assert batch.summary["sheet"] == "street"
    again = import_file(path=download(tmp_path, name="again.zip"), dry_run=True)
    assert (again.new_count, again.changed_count) == (0, 0)
    rollback(batch)
    assert not MeasureValue.objects.exists()


def test_an_error_in_a_later_file_is_at_that_file_s_own_row(county, tmp_path):
    header, june, july = street_months()
    at = next(i for i, row in enumerate(july) if row[8].startswith("Cherwell") and row[9] == "Burglary")
    july[at][9] = "Burglaryy"
    batch = import_file(path=download(tmp_path, july=july))
    assert batch.status == ImportBatch.Status.FAILED and not MeasureValue.objects.exists()
    error = batch.summary["errors"][0]
    assert error["row"] == at + 2  # its header is row 1 of its own file
    assert error["cell"] == "2018-07/2018-07-thames-valley-street.csv, column J (Crime type)"
    assert "“Burglaryy”" in error["message"]
    june[at][9] = "Burglaryy"  # the same row in the first file: the same row number
    batch = import_file(path=download(tmp_path, june=june, name="first.zip"))
    error = batch.summary["errors"][0]
    assert (error["row"], error["cell"].split(",")[0]) == (at + 2, "2018-06/2018-06-thames-valley-street.csv")


def test_a_crime_in_two_months_files_names_both_files(county, tmp_path):
    header, june, july = street_months()
    at = next(i for i, row in enumerate(june) if row[0] and row[8].startswith("Cherwell"))
    july[at][0] = june[at][0]  # a June crime again in July's file
    batch = import_file(path=download(tmp_path, july=july))
    error = batch.summary["errors"][0]
    assert error["row"] == at + 2
    assert error["cell"] == "2018-07/2018-07-thames-valley-street.csv, column A (Crime ID)"
    assert error["message"].startswith(
        f"This crime (its Crime ID) is in row {at + 2} of 2018-06/2018-06-thames-valley-street.csv too"
    )


def test_files_with_other_columns_are_not_read_as_one(county, tmp_path):
    header, june, july = street_months()
    path = write_zip(
        tmp_path,
        "mixed.zip",
        {
            "2018-06/2018-06-thames-valley-street.csv": text([header] + june),
            "2018-07/2018-07-thames-valley-street.csv": text([header[:-1]] + [row[:-1] for row in july]),
        },
    )
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.FAILED and not MeasureValue.objects.exists()
    assert batch.summary["errors"][0]["message"] == (
        "2018-07/2018-07-thames-valley-street.csv has other columns than "
        "2018-06/2018-06-thames-valley-street.csv, so the files cannot be read as one table. "
        "Import them separately."
    )


def test_a_zip_without_csv_files_or_too_big_is_refused_with_a_plain_message(county, tmp_path, settings):
    batch = import_file(path=write_zip(tmp_path, "docs.zip", {"notes/readme.txt": "x", "a.pdf": "%PDF"}))
    message = batch.summary["errors"][0]["message"]
    assert message.startswith("This zip file holds no CSV file (readme.txt, a.pdf)")
    bomb = write_zip(tmp_path, "bomb.zip", {"2018-06/2018-06-x-street.csv": "Crime ID," + "0" * 5_000_000})
    message = import_file(path=bomb).summary["errors"][0]["message"]
    assert "(a “zip bomb”): it is not read" in message
    settings.IMPORT_MAX_UNPACKED_BYTES = 1000
    message = import_file(path=download(tmp_path)).summary["errors"][0]["message"]
    assert message.startswith("The zip's CSV files add up to") and "upload fewer months at a time" in message
    assert not MeasureValue.objects.exists()


def test_a_damaged_or_password_protected_zip_gets_a_plain_message(county, tmp_path):
    """Review: a member whose deflated bytes are garbled, or that is encrypted, raised a stack trace."""
    path = download(tmp_path)
    data = bytearray(path.read_bytes())
    for at in range(2000, 2100):
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    message = import_file(path=path).summary["errors"][0]["message"]
    assert message.startswith("The zip is damaged, so it cannot be read (")
    locked = download(tmp_path, name="locked.zip")
    data = bytearray(locked.read_bytes())
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the member's flags: encrypted
        at = data.find(signature)
        while at != -1:
            data[at + flags] |= 0x1
            at = data.find(signature, at + 1)
    locked.write_bytes(bytes(data))
    message = import_file(path=locked).summary["errors"][0]["message"]
    assert message.startswith(
        "The zip is password-protected (2018-06/2018-06-thames-valley-outcomes.csv and "
    )
    assert not MeasureValue.objects.exists()


def test_a_zip_of_two_tables_asks_which(county, tmp_path):
    header, june, _ = street_months()
    long = "area_code,area_name,period,value,offence\r\nE07000177,Cherwell,2018/19,5,Robbery\r\n"
    path = write_zip(
        tmp_path,
        "two.zip",
        {"2018-06/2018-06-thames-valley-street.csv": text([header] + june), "robbery.csv": long},
    )
    batch = import_file(path=path, dry_run=True)
    assert batch.summary["needs"] == "sheet"
    assert "This zip has several tables (street, robbery.csv)" in batch.summary["question"]
    batch = import_file(path=path, dry_run=True, sheet="robbery.csv")
    assert batch.error_count == 0 and batch.new_count == 1, batch.summary["errors"]
    assert "Not read: street." in " ".join(batch.summary["notices"])


def test_a_member_in_windows_1252_is_read_as_such(county, tmp_path):
    header, june, _ = street_months()
    body = text([header] + june).replace("On or near Parking Area", "On or near Café")
    assert "Café" in body
    path = write_zip(tmp_path, "cp.zip", {"2018-06/2018-06-thames-valley-street.csv": body.encode("cp1252")})
    batch = import_file(path=path, dry_run=True)
    assert batch.error_count == 0 and batch.summary["rows_read"] == len(june), batch.summary["errors"]


def test_where_numbers_rows_by_their_own_file(tmp_path):
    path = write_zip(
        tmp_path,
        "w.zip",
        {
            "2018-06/2018-06-a-street.csv": "Crime ID,Month\r\na,2018-06\r\nb,2018-06\r\n",
            "2018-07/2018-07-a-street.csv": "Crime ID,Month\r\nc,2018-07\r\n",
        },
    )
    book = Workbook(path)
    assert book.kind == "zip" and book.sheet_names == ["street"]
    rows = list(book.sheet("street").rows)
    assert rows == [["Crime ID", "Month"], ["a", "2018-06"], ["b", "2018-06"], ["c", "2018-07"]]
    assert [book.where(n) for n in (1, 3, 4)] == [
        ("2018-06/2018-06-a-street.csv", 1),
        ("2018-06/2018-06-a-street.csv", 3),
        ("2018-07/2018-07-a-street.csv", 2),
    ]
    assert book.fraction_read() == 1.0


def test_an_admin_uploads_a_download_in_the_browser(client, county, tmp_path):
    client.force_login(county.admin)
    with open(download(tmp_path), "rb") as f:
        response = client.post(reverse("measures:imports"), {"file": f})
    page = client.get(response.url).content.decode()
    assert "Read from the zip: 2 files" in page and "Nothing has been written yet" in page
    batch = ImportBatch.objects.get()
    confirm(client, batch)
    assert values()["acquisitive-crime", "Cherwell", "July 2018"] == 387
