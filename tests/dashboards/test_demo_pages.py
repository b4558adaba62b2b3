"""Every page reachable from each demo user's home page renders without error.

A small crawler follows the links on each page (the Django admin's own pages are left to
test_permissions, apart from its index) and records anything that is not a 200.
"""

import re
from urllib.parse import urldefrag, urlparse

import pytest
from django.core.management import call_command

from reviews.management.commands.load_demo import DEMO_USERNAMES

LINK = re.compile(r'href="([^"]+)"')
MAX_PAGES = 400


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def crawl(client):
    seen, queue, problems = set(), ["/"], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            problems.append((url, response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not href.startswith("/"):
                continue
            if href.startswith("/static/") or (href.startswith("/admin/") and href != "/admin/"):
                continue
            if href not in seen:
                queue.append(href)
    return seen, problems


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_page_reachable_from_home_renders(client, demo, username):
    from partnerships.models import User

    client.force_login(User.objects.get(username=username))
    seen, problems = crawl(client)
    assert problems == []
    assert len(seen) > 80, len(seen)  # the crawl really went through the site: plans, deliverables, measures


def test_officer_home_reports_as_at_the_reporting_clocks_quarter(client, demo):
    """One reporting clock: the officer's home reports as at the end of the quarter the dashboards show
    (2011/12 Q3, the latest every partnership has signed off), while asking for the open quarter."""
    from partnerships.models import User

    client.force_login(User.objects.get(username="oxford.officer"))
    page = client.get("/").content.decode()
    assert "as at 31 December 2011" in page
    assert "2011/12 Q4 review:</strong> 0 of 15 deliverables updated" in page
