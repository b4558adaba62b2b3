"""Issue acceptance, in Chromium: refresh 2011-14 into 2012-15; the old strategy stays intact and
becomes read-only, open deliverables carry their history, and a second refresh creates nothing."""

import re

import pytest
from playwright.sync_api import expect

from strategies.models import Deliverable, Strategy
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser


def test_admin_refreshes_and_the_lead_adopts(page, site):
    old_oxford = Strategy.objects.get(partnership__slug="oxford", first_year=2011)
    old_titles = sorted(
        Deliverable.objects.filter(objective__strategy=old_oxford).values_list("title", flat=True)
    )
    sign_in(page, site, "admin")
    page.get_by_role("link", name="Strategies", exact=True).click()
    page.get_by_role("link", name="Annual refresh…").click()
    page.get_by_label("New strategies start in financial year").fill("2012")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="3. What happens to each partnership")).to_be_visible()
    expect(page.get_by_text("Stays behind in 2011-14").first).to_be_visible()
    assert not Strategy.objects.filter(first_year=2012).exists()  # the preview wrote nothing
    page.get_by_role("button", name="Create the draft 2012-15 strategies").click()
    expect(page.get_by_role("alert").first).to_contain_text("Created 4 draft strategies")

    # A second refresh creates nothing twice.
    page.get_by_role("link", name="Annual refresh…").click()
    page.get_by_label("New strategies start in financial year").fill("2012")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text(re.compile("Already has a 2012-15 strategy")).first).to_be_visible()
    page.get_by_role("button", name="Create the draft 2012-15 strategies").click()
    expect(page.get_by_role("alert").first).to_contain_text("Created 0 draft strategies")
    assert Strategy.objects.filter(first_year=2012).count() == 4

    # Oxford's lead adopts the draft; the old strategy is superseded, intact and read-only.
    page.get_by_role("button", name=re.compile("Alex Morgan|admin")).click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, "oxford.lead")
    new = Strategy.objects.get(partnership__slug="oxford", first_year=2012)
    page.goto(f"{site}{new.get_absolute_url()}")
    expect(page.get_by_text("Draft.")).to_be_visible()
    page.get_by_role("link", name="Edit summary and EIA").click()
    page.get_by_label("Summary").fill("Oxford's 2012-15 strategy: safer nights, less reoffending.")
    page.get_by_label("Equality impact assessment date").fill("2012-03-01")
    page.get_by_label("Equality impact assessment note").fill("Assessed by the council; no adverse impact.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Adopt this strategy…").click()
    expect(page.get_by_text("Nothing has changed yet.")).to_be_visible()
    page.get_by_role("button", name="Confirm: adopt the 2012-15 strategy").click()
    expect(page.get_by_role("alert").first).to_contain_text("Adopted 2012-15")
    page.goto(f"{site}{old_oxford.get_absolute_url()}")
    expect(
        page.get_by_text("This strategy has been superseded and is kept exactly as recorded.")
    ).to_be_visible()
    assert page.get_by_role("link", name="Edit objective").count() == 0
    assert (
        sorted(Deliverable.objects.filter(objective__strategy=old_oxford).values_list("title", flat=True))
        == old_titles
    )

    # An open deliverable carried forward shows its earlier quarterly updates.
    carried = Deliverable.objects.filter(objective__strategy=new, carried_from__isnull=False).first()
    page.goto(f"{site}{carried.get_absolute_url()}")
    expect(page.get_by_text("Carried forward from").first).to_be_visible()
    expect(page.get_by_text("2011/12 Q3").first).to_be_visible()
