"""A scrutiny member opens the committee paper, which prints, and downloads its PDF."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser


def test_scrutiny_member_reads_and_downloads_the_paper(page, site):
    sign_in(page, site, "scrutiny.chair")
    page.get_by_role("link", name=re.compile("Committee paper for")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("progress summary")
    for heading in ("Summary", "Exceptions", "On the horizon"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("nav.app-navbar")).to_be_hidden()  # the print layout drops the page furniture
    page.emulate_media(media="screen")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
