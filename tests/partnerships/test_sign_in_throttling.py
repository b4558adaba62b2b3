"""Sign-in throttling locks a user out from one address, not from everywhere: behind the proxy the
address comes from X-Forwarded-For, believed only from the trusted proxies."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from partnerships.client_ip import client_ip

PASSWORD = "correct-horse-battery"
PROXY = "127.0.0.1"


@pytest.fixture
def throttled(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = [PROXY]
    user = world.users["officer_a"]
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, password, *, via_proxy_for=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if via_proxy_for:
        extra["HTTP_X_FORWARDED_FOR"] = via_proxy_for
    return client.post(reverse("login"), {"username": "officer_a", "password": password}, **extra)


def test_the_right_password_from_another_address_still_works(client, throttled):
    for _ in range(3):
        sign_in(client, "wrong-password", via_proxy_for="203.0.113.9")
    assert sign_in(client, PASSWORD, via_proxy_for="203.0.113.9").status_code == 429  # locked there
    assert sign_in(client, PASSWORD, via_proxy_for="198.51.100.7").status_code == 302  # not here


def test_a_client_cannot_escape_the_lock_by_sending_its_own_header(client, throttled):
    for _ in range(3):
        sign_in(client, "wrong-password", remote="203.0.113.9")
    spoofed = sign_in(client, PASSWORD, remote="203.0.113.9", via_proxy_for="198.51.100.7")
    assert spoofed.status_code == 429


def test_a_client_cannot_escape_through_the_proxy_by_prefixing_an_address(client, throttled):
    for _ in range(3):
        sign_in(client, "wrong-password", via_proxy_for="203.0.113.9")
    spoofed = sign_in(client, PASSWORD, via_proxy_for="198.51.100.7, 203.0.113.9")
    assert spoofed.status_code == 429


@pytest.mark.parametrize(
    "remote,header,expected",
    [
        ("203.0.113.9", "", "203.0.113.9"),
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # not a trusted proxy: header ignored
        (PROXY, "198.51.100.7", "198.51.100.7"),
        (PROXY, "10.0.0.1, 198.51.100.7", "198.51.100.7"),  # right-most is what the proxy saw
        (PROXY, "198.51.100.7, 127.0.0.1", "198.51.100.7"),  # a second trusted hop is skipped
        (PROXY, "", PROXY),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "127.0.0.1", PROXY),
    ],
)
def test_client_ip(settings, remote, header, expected):
    settings.TRUSTED_PROXIES = [PROXY]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_with_no_trusted_proxies_the_header_is_never_believed(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == PROXY
