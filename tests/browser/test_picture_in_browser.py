"""Scrutiny in a minute: a scrutiny member opening the county overview on a 1366×768 laptop sees the
county's whole picture, the headline counts and every row of the matrix of measures by partnerships,
without scrolling. 650 px is that screen less the browser's own bars."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 650}
# "Violent crime in Oxford stayed within its usual range in 2011/12 Q3: no significant change."
SENTENCE = re.compile(r"^\S.* in .* in \d{4}/\d\d Q\d.*\.")


# The latest quarter, final; and 2011/12 Q4, provisional, with its notice above the headline.
@pytest.mark.parametrize("query", ["", "?quarter=2011-12-q4"])
def test_the_countys_picture_fits_one_laptop_screen(page, site, query):
    page.set_viewport_size(LAPTOP)
    sign_in(page, site, "scrutiny.chair")
    page.goto(site + reverse("dashboards:overview") + query)
    page.wait_for_load_state("load")
    assert page.evaluate("window.scrollY") == 0

    headline = page.locator(".headline")
    expect(headline).to_be_visible()
    rows = page.locator(".mdc-matrix > tbody > tr")
    assert rows.count() == 21  # the demo's measures
    for what, thing in (("the headline", headline), ("the last measure", rows.last)):
        box = thing.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], (
            f"{what} ends {box['y'] + box['height']:.0f} px down a {LAPTOP['height']} px screen"
        )
    # Nothing of the matrix is cut off at the side either.
    table = page.locator(".mdc-matrix").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= LAPTOP["width"]


def test_every_icon_in_the_matrix_has_words_and_every_cell_its_sentence(page, site):
    page.set_viewport_size(LAPTOP)
    sign_in(page, site, "scrutiny.chair")
    page.goto(site + reverse("dashboards:overview"))
    icons = page.locator(".mdc-matrix svg")
    assert icons.count() >= 84  # at least a variation icon for each of 21 measures × 4 partnerships
    for i in range(icons.count()):
        icon = icons.nth(i)
        expect(icon).to_have_role("img")
        expect(icon).to_have_accessible_name(re.compile(r"\w"))
    cells = page.locator(".mdc-matrix .mdc-cell")
    assert cells.count() == 84
    for i in range(cells.count()):
        cell = cells.nth(i)
        # Each cell's link reads as its sentence and is a target of at least 24 × 24 px (WCAG 2.5.8).
        expect(cell).to_have_accessible_name(SENTENCE)
        box = cell.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, f"cell {i} is {box['width']}×{box['height']} px"


def test_on_a_phone_the_matrix_shows_every_partnership_without_scrolling_sideways(page, site):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, site, "scrutiny.chair")
    page.goto(site + reverse("dashboards:overview"))
    table = page.locator(".mdc-matrix").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 390, f"the matrix is {table['width']} px wide"
    for heading in page.locator(".mdc-matrix > thead th").all():
        box = heading.bounding_box()
        assert box["x"] + box["width"] <= 390, f"{heading.inner_text()!r} is off the screen"
