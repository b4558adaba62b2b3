"""An officer's quarter in minutes: in the demo, Oxford has 15 deliverables to update for 2011/12 Q4 and
three of them changed. Every row starts from last quarter; the officer marks each objective "no change",
changes the three, saves and submits. We count the fields touched and the clicks: about 15 fields,
against 60 when every row started blank."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import DeliverableUpdate, QuarterlyReview
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser


class Counter:
    def __init__(self):
        self.fields = 0
        self.clicks = 0

    def fill(self, locator, value):
        self.fields += 1
        locator.fill(value)

    def select(self, locator, label):
        self.fields += 1
        locator.select_option(label=label)

    def check(self, locator):
        self.fields += 1
        locator.check()

    def click(self, locator):
        self.clicks += 1
        locator.click()


def test_three_of_fifteen_changed_takes_about_fifteen_fields(page, site):
    sign_in(page, site, "oxford.officer")
    counter = Counter()
    counter.click(page.get_by_role("link", name="Update this quarter"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("review of 2011/12 Q4")
    rows = page.locator(".review-row")
    assert rows.count() == 15
    # Each row starts from last quarter's status, rating and progress.
    first = rows.first
    assert first.get_by_label("Status").input_value() != ""
    assert first.get_by_label("RAG rating").input_value() != ""

    for box in page.get_by_label(re.compile("^No change since last quarter for every deliverable")).all():
        counter.check(box)
    changed = []
    for i in (0, 5, 10):
        row = rows.nth(i)
        changed.append(row.locator("[id^=title-]").inner_text())
        counter.select(row.get_by_label("RAG rating"), "Amber")
        counter.fill(row.get_by_label(re.compile("^Commentary")), f"Slipped this quarter (row {i}).")
    counter.click(page.get_by_role("button", name="Save updates").first)
    expect(page.get_by_role("alert").first).to_contain_text("Saved 15 updates.")
    counter.click(page.get_by_role("button", name="Submit for sign-off"))
    expect(page.get_by_role("alert").first).to_contain_text("Submitted 2011/12 Q4 for sign-off")

    print(f"fields touched: {counter.fields}, clicks: {counter.clicks}")
    assert counter.fields <= 15, counter.fields
    assert counter.clicks <= 3
    q4 = DeliverableUpdate.objects.filter(
        quarter__period__label="2011/12 Q4", updated_by__username="oxford.officer"
    )
    assert q4.count() == 15  # every row recorded as this quarter's update, by this officer
    assert set(
        q4.filter(rag="amber", commentary__startswith="Slipped").values_list("deliverable__title", flat=True)
    ) == set(changed)
    assert (
        QuarterlyReview.objects.get(partnership__slug="oxford", quarter__period__label="2011/12 Q4").status
        == "submitted"
    )


def test_errors_are_summarised_at_the_top_with_links_to_their_rows(page, site):
    sign_in(page, site, "oxford.officer")
    page.get_by_role("link", name="Update this quarter").click()
    row = page.locator(".review-row").nth(2)
    row.get_by_label("RAG rating").select_option(label="Red")
    row.get_by_label(re.compile("^Commentary")).fill("")
    page.get_by_role("button", name="Save updates").first.click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("1 row needs attention")
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#row-" + row.get_attribute("id").split("-")[1])
