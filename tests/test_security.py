"""Security basics: a Content-Security-Policy with no inline scripts, throttled sign-in, and
production settings that pass Django's deployment checks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


@pytest.mark.parametrize(
    "url_name, kwargs",
    [("home", {}), ("dashboards:overview", {}), ("dashboards:measure", None), ("reviews:detail", None)],
)
def test_pages_send_a_csp_and_have_no_inline_scripts(client_for, world, url_name, kwargs):
    if kwargs is None:
        kwargs = (
            {"slug": world.measure.slug}
            if url_name == "dashboards:measure"
            else {"slug": world.a.slug, "quarter_pk": world.quarter.pk}
        )
    response = client_for("officer_a").get(reverse(url_name, kwargs=kwargs))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert INLINE_SCRIPT.findall(response.content.decode()) == []


@pytest.mark.parametrize("single_sign_on", [False, True])
def test_the_login_page_sends_the_policy_too(client, db, settings, single_sign_on):
    settings.OIDC_ENABLED = single_sign_on
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert ("Sign in with Microsoft" in page) is single_sign_on
    assert INLINE_SCRIPT.findall(page) == [] and "style=" not in page and "<style" not in page


def test_repeated_wrong_passwords_lock_the_account_out_for_a_while(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "officer_a", "password": "wrong-password"})
    response = client.post(url, {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    # another person is not affected
    other = client.post(url, {"username": "officer_b", "password": PASSWORD})
    assert other.status_code == 302


def test_production_settings_pass_the_deployment_checks():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright: a real deployment never would.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "csp.example.org",
        "SECURE_COOKIES": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
