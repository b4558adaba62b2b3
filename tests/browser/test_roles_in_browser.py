"""Each demo role signs in through the real login page in Chromium and lands on its own home page."""

import re

import pytest
from playwright.sync_api import expect

from reviews.management.commands.load_demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, site, username):
    page.goto(f"{site}/")
    expect(page).to_have_title(re.compile("Sign in"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(
    "username, heading",
    [
        ("cherwell.officer", "Your action plan"),
        ("southvale.lead", "Your action plan"),
        ("scrutiny.chair", "County overview"),
        ("admin", "What needs doing"),
    ],
)
def test_each_role_lands_on_its_home_page(page, site, username, heading):
    sign_in(page, site, username)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def test_wrong_password_is_refused_plainly(page, site):
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill("cherwell.officer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()


def test_scrutiny_member_sees_a_chart_drawn(page, site):
    sign_in(page, site, "scrutiny.member")
    page.get_by_role("link", name="Acquisitive crime").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acquisitive crime")
    expect(page.locator("#measure-chart")).to_have_attribute("data-drawn", "true")
    expect(page.locator("canvas[data-chart=xmr][data-drawn=true]")).to_have_count(4)  # one per partnership
    page.get_by_text("The figures in the chart").click()
    expect(page.get_by_role("rowheader", name="2011/12 Q3", exact=True).first).to_be_visible()


def test_officer_updates_a_deliverable_and_the_history_shows_it(page, site):
    sign_in(page, site, "oxford.officer")
    page.get_by_role("link", name=re.compile("Open the 2011-14 strategy")).click()
    page.get_by_role("link", name="Cut cycle theft in the city centre and at the railway station").click()
    page.get_by_role("link", name="Edit deliverable").click()
    page.get_by_label("Status").select_option(label="Off track")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved")
    expect(page.get_by_text("At risk → Off track")).to_be_visible()


def test_keyboard_user_can_skip_to_the_content(page, site):
    sign_in(page, site, "scrutiny.chair")
    expect(page.get_by_role("heading", level=1)).to_contain_text("County overview")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
