"""WCAG 2.2 AA on every page for every role, checked by axe-core in Chromium.

axe-core is vendored from its npm package (tests/browser/vendor/axe-core, `npm pack axe-core`). For each
role the test signs in and walks the site from the home page, following every link it finds, and checks
one page of each URL pattern it reaches (the Django admin is Django's own and is left out). A page fails
on any serious or critical violation of the WCAG 2.0, 2.1 and 2.2 A and AA rules; the message lists each
one with the elements it found. A few pages are also checked in states a crawl does not reach: a form
showing its errors, a phone-sized screen.
"""

import json
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import expect

from measures.services import import_batch_create, import_batch_preview
from reviews.management.commands.load_demo import DEMO_PASSWORD
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SERIOUS = {"serious", "critical"}
MAX_PAGES = 80
SKIP = (
    "/admin/",
    "/accounts/logout",
    "export=",
    "format=pdf",
    "/download",
    "/evidence/",
    "/media/",
    ".csv",
    ".xlsx",
)


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script of the test's own; the site's Content-Security-Policy (no inline
    # scripts) would rightly refuse it.
    return {**browser_context_args, "bypass_csp": True}


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [describe(node) for node in violation["nodes"][:8]]
            found.append(f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return found


def describe(node) -> str:
    """An element's selector, with the colours and ratio axe measured when contrast is the problem."""
    where = " ".join(map(str, node["target"]))
    data = next((check.get("data") for check in node.get("any", []) if check.get("data")), None)
    if isinstance(data, dict) and "contrastRatio" in data:
        where += f" ({data.get('fgColor')} on {data.get('bgColor')}: {data.get('contrastRatio')})"
    return where


def pattern_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def crawl(page, site, seeds=()) -> dict[str, list[str]]:
    """Every URL pattern reachable by links from the home page (and any seeds), one page each:
    {url: violations}."""
    seen_patterns, results = set(), {}
    queue = deque(["/", *seeds])
    while queue and len(results) < MAX_PAGES:
        url = queue.popleft()
        pattern = pattern_of(urlsplit(url).path)
        if pattern is None or pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(site + url)
        if (
            response is None
            or response.status >= 400
            or "html" not in response.headers.get("content-type", "")
        ):
            continue
        results[url] = serious_violations(page)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        for href in hrefs:
            if not href.startswith("/") or href.startswith("//") or any(s in href for s in SKIP):
                continue
            queue.append(href.split("#")[0])
    return results


def admin_seeds() -> list[str]:
    """Admin pages that no link leads to in the demo as loaded: an import waiting for its preview's
    answer, and splitting a partnership."""
    admin = get_user_model().objects.get(username="admin")
    upload = SimpleUploadedFile(
        "figures.csv", b"area,measure or offence,period,value\nCherwell,Violent crime,2011/12 Q4,5\n"
    )
    batch = import_batch_preview(batch=import_batch_create(user=admin, uploaded_file=upload))
    return [reverse("measures:import_batch", args=[batch.pk]), reverse("strategies:split", args=["cherwell"])]


def report(results: dict[str, list[str]]) -> str:
    return json.dumps({url: found for url, found in results.items() if found}, indent=1)


@pytest.mark.parametrize(
    "username", ["cherwell.officer", "oxford.lead", "scrutiny.member", "admin", "no.role"]
)
def test_no_page_has_a_serious_accessibility_violation_for_any_role(page, site, username):
    if username == "no.role":
        get_user_model().objects.create_user("no.role", password=DEMO_PASSWORD)
    sign_in(page, site, username)
    results = crawl(page, site, seeds=admin_seeds() if username == "admin" else ())
    assert len(results) >= (2 if username == "no.role" else 8), sorted(results)
    assert not any(results.values()), report(results)


def test_the_sign_in_page_and_its_errors_have_no_serious_violation(page, site):
    page.goto(f"{site}/")
    assert serious_violations(page) == []
    page.get_by_label("Username").fill("cherwell.officer")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    assert serious_violations(page) == []


def test_a_form_with_errors_has_no_serious_violation_and_a_summary_linking_to_each_field(page, site):
    sign_in(page, site, "oxford.officer")
    page.get_by_role("link", name="Open the 2011-14 strategy").first.click()
    page.get_by_role("link", name="Cut cycle theft in the city centre and at the railway station").click()
    page.get_by_role("link", name="Edit deliverable").click()
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Title")).to_be_focused()
    assert serious_violations(page) == []


def test_the_overview_reads_on_a_phone_without_hiding_columns_or_scrolling_sideways(page, site):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, site, "scrutiny.member")
    page.goto(f"{site}/strategies/overview/")
    assert serious_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"


def test_the_skip_link_shows_above_the_navbar_when_focused(page, site):
    sign_in(page, site, "scrutiny.member")
    page.goto(f"{site}/strategies/overview/")
    page.wait_for_load_state("load")
    # Start from the top of the page, as a keyboard user arriving on it does.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    # Whatever is drawn at the link's centre is the link itself, not the navbar covering it.
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.textContent?.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
