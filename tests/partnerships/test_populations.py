"""Importing ONS mid-year population estimates: files shaped as the ONS publishes them, written here."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from measures.importing.populations import PopulationImportError, population_import
from partnerships.models import AreaAlias, AreaCode, AreaPopulation, AuditEvent
from tests import factories

TITLE = "Mid-2011 Population Estimates: Persons; estimated resident population"


@pytest.fixture
def areas(db):
    south = factories.AreaFactory(name="South Oxfordshire", slug="south-oxfordshire")
    vale = factories.AreaFactory(name="Vale of White Horse", slug="vale")
    AreaCode.objects.create(area=south, code="E07000179")
    AreaAlias.objects.create(area=vale, name="Vale of the White Horse")
    return south, vale


def populations():
    return {(p.area.name, p.year): p.population for p in AreaPopulation.objects.select_related("area")}


def write_csv(tmp_path, text, name="mye.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ALL_AGES = (
    f"{TITLE}\n"
    "Source: Office for National Statistics\n"
    "\n"
    "Code,Name,Geography,All ages,0,1\n"
    'K04000001,ENGLAND AND WALES,Country,"56,075,912","730,000","720,000"\n'
    'E07000179,South Oxfordshire,Non-metropolitan District,"134,257",1600,1580\n'
    ",Vale of the White Horse,Non-metropolitan District,121874,1500,1490\n"
    "E07000180,Somewhere Else,Non-metropolitan District,120988,1400,1390\n"
    "E06000042,Milton Keynes,Unitary Authority,249888,3900,3800\n"
)


def test_an_all_ages_file_is_read_by_code_and_by_name_for_the_year_given(areas, tmp_path):
    result = population_import(path=write_csv(tmp_path, ALL_AGES), year=2011)
    assert populations() == {("South Oxfordshire", 2011): 134_257, ("Vale of White Horse", 2011): 121_874}
    assert (result.created, result.updated, result.not_ours) == (2, 0, 2)
    assert AreaPopulation.objects.first().source == "ONS mid-year population estimates (mye.csv)"
    assert "2 of our areas, mid-2011: 2 added" in result.describe()


def test_an_all_ages_file_needs_its_year(areas, tmp_path):
    with pytest.raises(PopulationImportError, match="say which mid-year"):
        population_import(path=write_csv(tmp_path, ALL_AGES))
    assert not AreaPopulation.objects.exists()


def test_a_file_with_a_column_per_year_and_its_re_import(areas, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "MYE5"
    sheet.append(["Population estimates for the UK, mid-2011 to mid-2013"])
    sheet.append([])
    sheet.append(["ladcode21", "laname21", "Mid-2011", "mid-2012", "2013"])
    sheet.append(["E07000179", "South Oxfordshire", 134257, 135000.0, "136,100"])
    sheet.append(["E07000180", "Vale of White Horse", 121874, 122500, 123000])  # by name: not our code
    sheet.append(["W06000001", "Isle of Anglesey", 69751, 69900, 70000])
    path = tmp_path / "mye5.xlsx"
    book.save(path)
    population_import(path=path)
    assert populations()[("South Oxfordshire", 2012)] == 135_000
    assert populations()[("South Oxfordshire", 2013)] == 136_100
    assert len(populations()) == 6
    sheet["D4"] = 135_500
    book.save(path)
    result = population_import(path=path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 5)
    assert populations()[("South Oxfordshire", 2012)] == 135_500
    assert AreaPopulation.history.filter(population=135_500).exists()  # audited


def test_a_year_given_with_a_wide_file_takes_that_column_only(areas, tmp_path):
    text = "Code,Name,Mid-2011,Mid-2012\nE07000179,South Oxfordshire,134257,135000\n"
    population_import(path=write_csv(tmp_path, text), year=2012)
    assert populations() == {("South Oxfordshire", 2012): 135_000}
    with pytest.raises(PopulationImportError, match="no column for mid-2015"):
        population_import(path=write_csv(tmp_path, text), year=2015)


def test_a_file_with_none_of_our_areas_is_refused(areas, tmp_path):
    text = "Code,Name,All ages\nE06000042,Milton Keynes,249888\nE07000180,Somewhere Else,120988\n"
    with pytest.raises(PopulationImportError, match="None of the areas in this file are ours"):
        population_import(path=write_csv(tmp_path, text), year=2011)


def test_bad_numbers_are_refused_with_row_and_cell_and_nothing_is_saved(areas, tmp_path):
    text = (
        "LAD code,Geography name,Mid-2011,Mid-2012\n"
        "E07000179,South Oxfordshire,134257,about 135k\n"
        "E06000042,Milton Keynes,not ours,so not checked\n"
        "E07000999,Vale of White Horse,-5,122500\n"
    )
    with pytest.raises(PopulationImportError) as refused:
        population_import(path=write_csv(tmp_path, text))
    assert refused.value.errors == [
        "Row 2, cell D2 (Mid-2012): “about 135k” is not a number of people.",
        "Row 4, cell C4 (Mid-2011): “-5” is not a number of people.",
    ]
    assert not AreaPopulation.objects.exists()


def test_a_code_and_a_name_for_two_of_our_areas_is_refused_not_filed_under_the_code(areas, tmp_path):
    text = "Code,Name,All ages\nE07000179,Vale of White Horse,121874\n"
    with pytest.raises(PopulationImportError) as refused:
        population_import(path=write_csv(tmp_path, text), year=2011)
    assert refused.value.errors == [
        "Row 2: the code E07000179 is South Oxfordshire but the name says Vale of White Horse: correct "
        "whichever is wrong, so that no district's figures are filed under another."
    ]
    assert not AreaPopulation.objects.exists()


def test_the_command_says_what_it_did_and_fails_when_it_refuses(areas, tmp_path, capsys):
    call_command("import_populations", str(write_csv(tmp_path, ALL_AGES)), "--year", "2011")
    assert "2 of our areas, mid-2011: 2 added, 0 changed" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_populations", str(write_csv(tmp_path, ALL_AGES)))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_populations", str(tmp_path / "missing.csv"), "--year", "2011")


def test_the_import_page_saves_and_says_what_it_did(areas, client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("measures:populations")
    assert url in client.get(reverse("measures:imports")).content.decode()
    upload = SimpleUploadedFile("mye.csv", ALL_AGES.encode(), "text/csv")
    page = client.post(url, {"file": upload, "year": "2011"}, follow=True).content.decode()
    assert "2 of our areas, mid-2011: 2 added" in page
    assert len(populations()) == 2
    assert AuditEvent.objects.filter(model="Area population", user=admin).count() == 2


def test_the_import_page_shows_why_a_file_is_refused(areas, client):
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    text = b"Code,Name,All ages\nE07000179,South Oxfordshire,lots\n"
    upload = SimpleUploadedFile("mye.csv", text, "text/csv")
    response = client.post(reverse("measures:populations"), {"file": upload, "year": "2011"})
    assert response.status_code == 200
    assert "Row 2, cell C2 (All ages): “lots” is not a number of people." in response.content.decode()
    assert not AreaPopulation.objects.exists()
