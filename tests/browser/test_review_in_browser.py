"""Issue acceptance, in Chromium: an officer updates the whole quarter with evidence and submits;
the lead returns it with a comment, then signs it off; the locked quarter refuses changes."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser


def open_review(page):
    page.get_by_role("link", name="Update this quarter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("review of 2011/12 Q4")


def test_officer_updates_submits_and_lead_returns_then_signs_off(page, site, tmp_path):
    sign_in(page, site, "oxford.officer")
    open_review(page)

    # Every deliverable of the partnership for the current quarter, on one page.
    rows = page.locator(".review-row")
    count = rows.count()
    assert count == 15
    for i in range(count):
        row = rows.nth(i)
        row.get_by_label("Status").select_option(label="On track")
        row.get_by_label("RAG rating").select_option(label="Green")
        row.get_by_label("Progress %").fill("80")
        row.get_by_label(re.compile("^Commentary")).fill(f"Quarter 4 progress note {i}.")
    page.get_by_role("button", name="Save updates").first.click()
    expect(page.get_by_role("alert").first).to_contain_text("Saved 15 updates.")
    expect(page.get_by_text("0 still need an update", exact=False)).to_be_visible()

    # Evidence: a file and a link on one deliverable.
    page.locator(".review-row").first.get_by_role("link", name=re.compile("Evidence")).click()
    pdf = tmp_path / "pubwatch-minutes.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% Pub Watch minutes\n")
    page.get_by_label("Title").fill("Pub Watch minutes")
    page.get_by_label("File", exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("link", name="Pub Watch minutes")).to_be_visible()
    page.get_by_label("Title").fill("Nightsafe web page")
    page.get_by_role("textbox", name="Link (or upload a file below)").fill(
        "https://www.oxford.gov.uk/nightsafe"
    )
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("link", name="Nightsafe web page")).to_be_visible()
    assert Evidence.objects.count() == 2

    page.get_by_role("link", name="Oxford 2011/12 Q4", exact=True).click()
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.get_by_role("alert").first).to_contain_text("Submitted 2011/12 Q4 for sign-off")

    # The lead returns it with a comment ...
    page.get_by_role("button", name=re.compile("Tom Okafor")).click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "oxford.lead")
    page.get_by_role("link", name="Review and sign off").click()
    page.get_by_label(re.compile("^Comment")).fill("Please add the CCTV arrest figures.")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_text("Returned for changes").first).to_be_visible()
    expect(page.get_by_text("“Please add the CCTV arrest figures.”").first).to_be_visible()

    # ... the officer resubmits (the lead can too) and the lead signs it off.
    page.get_by_role("button", name="Submit for sign-off").click()
    page.get_by_role("button", name="Sign off and lock").click()
    expect(page.get_by_role("status")).to_contain_text("signed off and locked for Oxford")
    review = QuarterlyReview.objects.get(partnership__slug="oxford", quarter__period__label="2011/12 Q4")
    assert review.status == QuarterlyReview.Status.SIGNED_OFF

    # Locked: no form, and a direct attempt is refused with a clear message.
    assert page.get_by_role("button", name="Save updates").count() == 0
    page.get_by_role("link", name=re.compile("Evidence")).first.click()
    expect(page.get_by_role("status")).to_contain_text("Locked.")
    assert DeliverableUpdate.objects.filter(quarter=review.quarter).count() == 15

    # The history shows the change on the deliverable page.
    page.get_by_role("link", name="deliverable page and history").click()
    expect(page.get_by_text("Quarter 4 progress note 0.").first).to_be_visible()
    expect(page.get_by_text(re.compile("2011/12 Q4 update")).first).to_be_visible()
