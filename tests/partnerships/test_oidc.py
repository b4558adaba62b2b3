"""Single sign-on with OpenID Connect, against a real OpenID provider on loopback.

The provider is django-oidc-provider, run as its own small Django project in a subprocess
(tests/oidc_provider_project: its own SQLite file, RSA key, registered client and people), started once
for this module. Each test runs the real authorization-code flow: our /oidc/authenticate/ sends the
browser to the provider, the provider's login form and consent page are filled in (a requests session
plays the browser there), the provider sends the browser back to our callback with a code, and our
backend exchanges it for tokens, fetches the provider's keys and userinfo over HTTP and signs the person
in, or refuses with a reason on the login page. Nothing in the protocol is mocked.
"""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from partnerships.models import User
from partnerships.oidc import axes_username, verified_email
from tests import factories
from tests.oidc_provider_project import PROVIDER_PASSWORD, ROOT, start_provider, stop_provider

OUR_SITE = "http://testserver"
CALLBACK = OUR_SITE + "/oidc/callback/"
BACKEND = "partnerships.oidc.SingleSignOnBackend"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    provider = start_provider(tmp_path_factory.mktemp("openid-provider"), CALLBACK)
    yield provider
    stop_provider(provider)


@pytest.fixture
def sso(settings, provider):
    """Single sign-on switched on and pointed at the test provider, configured from its discovery document."""
    discovered = provider.configuration()
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Council ID"
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_OP_ISSUER = discovered["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovered["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovered["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovered["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovered["jwks_uri"]
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return provider


@pytest.fixture
def people(db):
    """Our side: people whose work addresses match the provider's (in another case), each with a role."""
    partnership = factories.PartnershipFactory(name="Alpha CSP", slug="alpha")

    def person(username, email, **extra):
        user = factories.UserFactory(username=username, email=email, **extra)
        factories.MembershipFactory(user=user, partnership=partnership)
        return user

    return {
        "alice": person("alice", "alice.officer@council.example"),
        "uma": person("uma", "uma.unverified@council.example"),
        "ian": person("ian", "ian.inactive@council.example", is_active=False),
        "dan": person("dan", "dan.twice@council.example"),
        "dan2": person("dan2", "DAN.TWICE@council.example"),
        "walt": person("walt", "walt.wrong-audience@council.example"),
        "ed": person("ed", "ed.expired@council.example"),
    }


class Forms(HTMLParser):
    """The forms on a page: action and fields (inputs with a name), submit buttons by name."""

    def __init__(self, html):
        super().__init__()
        self.forms = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name") and attrs.get("type") != "submit":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def at_provider(browser, url, username, *, consent=True, max_steps=10):
    """Play the browser at the provider: sign in as ``username``, answer the consent page, and return the
    address the provider finally sends the browser to (our callback, with the code or an error)."""
    response = browser.get(url, allow_redirects=False, timeout=10)
    for _ in range(max_steps):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(OUR_SITE):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text[:1000]
        form = Forms(response.text).forms[0]
        action = urljoin(response.url, form["action"])
        fields = form["fields"]
        if "password" in fields:  # the provider's login form
            fields.update(username=username, password=PROVIDER_PASSWORD)
        elif consent:  # the consent page: "Authorize"
            fields["allow"] = "Authorize"
        response = browser.post(action, data=fields, allow_redirects=False, timeout=10)
    raise AssertionError(f"the provider never sent the browser back: {response.status_code} {response.url}")


def sign_on(client, username, *, next_url=None, consent=True):
    """Single sign-on as the provider's ``username``: returns our callback's response (not followed)."""
    start_url = reverse("partnerships:oidc_authenticate") + (f"?next={next_url}" if next_url else "")
    start = client.get(start_url)
    assert start.status_code == 302, start
    back = at_provider(requests.Session(), start.url, username, consent=consent)
    assert back.startswith(CALLBACK), back
    return client.get(back[len(OUR_SITE) :])


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def refusal(client, response):
    """The reason shown on the login page after a refused single sign-on."""
    assert response.status_code == 302 and response.url == reverse("login"), response
    assert signed_in_user_id(client) is None
    page = client.get(response.url).content.decode()
    assert "alert-danger" in page
    return " ".join(page.split("alert-danger", 1)[1].split("<button", 1)[0].split(">", 1)[1].split())


# --- Signed in -----------------------------------------------------------------------------------------


def test_a_verified_address_signs_in_the_person_who_has_it_whatever_its_case(client, sso, people):
    response = sign_on(client, "alice")  # the provider says Alice.Officer@Council.Example
    assert response.status_code == 302 and response.url == reverse("home")
    assert signed_in_user_id(client) == str(people["alice"].pk)
    assert client.session["_auth_user_backend"] == BACKEND
    home = client.get(reverse("home"))
    assert home.status_code == 200 and home["Cache-Control"] == "private, no-store"


def test_the_page_asked_for_before_signing_in_is_where_single_sign_on_lands(client, sso, people):
    wanted = reverse("partnerships:notifications")
    assert sign_on(client, "alice", next_url=wanted).url == wanted


def test_the_flow_is_the_authorization_code_flow_with_state_nonce_and_pkce(client, sso, people):
    start = client.get(reverse("partnerships:oidc_authenticate"))
    assert start.url.startswith(sso.endpoint("authorize"))
    query = {key: values[0] for key, values in parse_qs(urlsplit(start.url).query).items()}
    assert query["response_type"] == "code" and query["client_id"] == sso.client_id
    assert query["redirect_uri"] == CALLBACK
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    assert query["code_challenge_method"] == "S256"
    assert query["state"] in client.session["oidc_states"] and query["nonce"]
    assert start["Cache-Control"].startswith("max-age=0") and "no-store" in start["Cache-Control"]


def test_the_address_can_come_from_another_claim_such_as_entra_ids_sign_in_name(
    client, sso, people, settings
):
    settings.OIDC_EMAIL_CLAIM = "preferred_username"
    settings.OIDC_RP_SCOPES = "openid profile"  # no email scope: the address is the sign-in name
    assert sign_on(client, "alice").url == reverse("home")
    assert signed_in_user_id(client) == str(people["alice"].pk)


def test_someone_signed_in_with_single_sign_on_is_signed_out_when_their_account_is_switched_off(
    client, sso, people
):
    sign_on(client, "alice")
    people["alice"].is_active = False
    people["alice"].save()
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_turning_single_sign_on_off_signs_out_those_who_came_in_through_it(client, sso, people, settings):
    sign_on(client, "alice")
    assert client.get(reverse("home")).status_code == 200
    settings.OIDC_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = [b for b in settings.AUTHENTICATION_BACKENDS if b != BACKEND]
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_password_sign_in_still_works_beside_single_sign_on(client, sso, people, settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Council ID" in page
    response = client.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD})
    assert response.status_code == 302 and signed_in_user_id(client) == str(people["alice"].pk)
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"


# --- Refused, with the reason on the login page --------------------------------------------------------


def test_an_address_nobody_here_has_is_refused_and_nobody_is_created(client, sso, people):
    users_before = set(User.objects.values_list("pk", flat=True))
    reason = refusal(client, sign_on(client, "sam"))
    assert "No account here uses sam.stranger@elsewhere.example" in reason
    assert set(User.objects.values_list("pk", flat=True)) == users_before


def test_an_address_the_provider_has_not_verified_is_refused(client, sso, people):
    reason = refusal(client, sign_on(client, "uma"))
    assert "has not confirmed that uma.unverified@council.example is your address" in reason
    assert "Council ID" in reason


def test_a_missing_verified_claim_is_refused_when_the_claim_is_required(client, sso, people, settings):
    settings.OIDC_EMAIL_VERIFIED_CLAIM = "xms_edov"  # Entra ID's; this provider never sends it
    settings.OIDC_REQUIRE_EMAIL_VERIFIED = True
    assert "has not confirmed" in refusal(client, sign_on(client, "alice"))


def test_a_switched_off_account_is_refused(client, sso, people):
    assert "The account that uses ian.inactive@council.example is switched off" in refusal(
        client, sign_on(client, "ian")
    )


def test_an_address_two_accounts_share_is_refused(client, sso, people):
    assert "More than one account here uses dan.twice@council.example" in refusal(
        client, sign_on(client, "dan")
    )


def test_no_address_from_the_provider_is_refused(client, sso, people):
    assert "did not send your email address" in refusal(client, sign_on(client, "nora"))


def test_a_token_minted_for_another_application_is_refused(client, sso, people):
    assert "answer could not be checked" in refusal(client, sign_on(client, "walt"))


def test_an_expired_token_is_refused(client, sso, people):
    assert "answer could not be checked" in refusal(client, sign_on(client, "ed"))


def test_a_token_from_another_issuer_is_refused(client, sso, people, settings):
    settings.OIDC_OP_ISSUER = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
    assert "answer could not be checked" in refusal(client, sign_on(client, "alice"))


def test_declining_at_the_provider_is_refused(client, sso, people):
    assert "Council ID did not sign you in" in refusal(client, sign_on(client, "alice", consent=False))


def test_a_refusal_from_the_provider_signs_nobody_out(client, sso, people):
    # The library signs out whoever is signed in when the provider answers with an error; a link must not.
    client.force_login(people["dan"])
    assert sign_on(client, "alice", consent=False).url == reverse("login")
    assert signed_in_user_id(client) == str(people["dan"].pk)


def test_a_callback_from_a_sign_in_started_in_another_browser_is_refused(client, sso, people):
    from django.test import Client

    start = client.get(reverse("partnerships:oidc_authenticate"))
    back = at_provider(requests.Session(), start.url, "alice")
    # The code arrives in a browser that did not start the sign-in (a link sent to someone, say).
    other = Client()
    reason = refusal(other, other.get(back[len(OUR_SITE) :]))
    assert "not started in this browser" in reason
    assert signed_in_user_id(client) is None


def test_a_callback_with_a_changed_state_is_refused(client, sso, people):
    start = client.get(reverse("partnerships:oidc_authenticate"))
    back = at_provider(requests.Session(), start.url, "alice")
    query = parse_qs(urlsplit(back).query)
    tampered = f"{urlsplit(back).path}?code={query['code'][0]}&state=not-the-state"
    assert "not started in this browser" in refusal(client, client.get(tampered))


def test_a_callback_used_twice_is_refused_the_second_time(client, sso, people):
    start = client.get(reverse("partnerships:oidc_authenticate"))
    back = at_provider(requests.Session(), start.url, "alice")[len(OUR_SITE) :]
    assert client.get(back).url == reverse("home")
    client.logout()
    assert "not started in this browser" in refusal(client, client.get(back))


def test_a_callback_with_no_code_is_refused(client, sso, people):
    assert "did not sign you in" in refusal(client, client.get(reverse("partnerships:oidc_callback")))


def test_an_unreachable_provider_is_refused_not_an_error_page(client, sso, people, settings):
    start = client.get(reverse("partnerships:oidc_authenticate"))
    back = at_provider(requests.Session(), start.url, "alice")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # the discard port: nothing listens
    assert "answer could not be checked" in refusal(client, client.get(back[len(OUR_SITE) :]))


# --- Throttling (django-axes) --------------------------------------------------------------------------


def test_refused_addresses_are_recorded_without_locking_single_sign_on_for_the_address(
    client, sso, people, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    refusal(client, sign_on(client, "sam"))
    assert sign_on(client, "sam").status_code == 429  # that address, from here: locked out for a while
    attempts = AccessAttempt.objects.get(username="sso:sam.stranger@elsewhere.example")
    assert attempts.failures_since_start == 2
    assert sign_on(client, "alice").url == reverse("home")  # same place, another person: not locked


def test_a_password_lockout_does_not_stop_single_sign_on_whose_success_clears_it(
    client, sso, people, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    password = {"username": "alice", "password": factories.PASSWORD}
    for _ in range(2):
        client.post(reverse("login"), {**password, "password": "wrong-password"})
    assert client.post(reverse("login"), password).status_code == 429
    assert sign_on(client, "alice").url == reverse("home")  # the provider checked who this is
    client.logout()
    # A successful sign-in clears the failures (AXES_RESET_ON_SUCCESS), by password or single sign-on.
    assert client.post(reverse("login"), password).status_code == 302


def test_axes_counts_a_password_attempt_under_the_username_typed(rf):
    request = rf.post("/accounts/login/", {"username": "typed"})
    assert axes_username(request, {"username": "alice", "password": "x"}) == "alice"
    assert axes_username(request) == "typed"
    assert axes_username(request, {"nonce": "n"}) is None  # single sign-on, before the address is known
    request.sso_email = "alice.officer@council.example"
    assert axes_username(request, {"nonce": "n"}) == "sso:alice.officer@council.example"


# --- Switched off (the default) ------------------------------------------------------------------------


def test_with_single_sign_on_off_there_is_no_button_and_its_addresses_are_unknown(client, people, settings):
    assert settings.OIDC_ENABLED is False
    assert BACKEND not in settings.AUTHENTICATION_BACKENDS
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    for name in ("partnerships:oidc_authenticate", "partnerships:oidc_callback"):
        # Anonymous visitors are sent to sign in, as for any address that does not exist...
        assert client.get(reverse(name)).url == f"{reverse('login')}?next={reverse(name)}"
        assert client.get("/no-such-page/").url == f"{reverse('login')}?next=/no-such-page/"
        # ...and signed-in people get a 404.
        client.force_login(people["alice"])
        assert client.get(reverse(name)).status_code == 404
        assert client.post(reverse(name)).status_code == 404
        client.logout()


def test_the_backend_ignores_a_callback_when_single_sign_on_is_off(rf, people, settings):
    from partnerships.oidc import SingleSignOnBackend

    request = rf.get("/oidc/callback/", {"code": "c", "state": "s"})
    assert SingleSignOnBackend().authenticate(request, nonce="n") is None


# --- Settings from the environment ---------------------------------------------------------------------


def settings_from(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'backends': settings.AUTHENTICATION_BACKENDS, 'enabled': settings.OIDC_ENABLED, "
        "'claim': settings.OIDC_EMAIL_CLAIM, 'create': settings.OIDC_CREATE_USER}))"
    )
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_read_single_sign_on_from_the_environment_with_axes_first():
    tenant = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555"
    result = settings_from(
        {
            "OIDC_ENABLED": "true",
            "OIDC_RP_CLIENT_ID": "client",
            "OIDC_RP_CLIENT_SECRET": "secret",
            "OIDC_OP_ISSUER": f"{tenant}/v2.0",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{tenant}/oauth2/v2.0/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{tenant}/oauth2/v2.0/token",
            "OIDC_OP_USER_ENDPOINT": "https://graph.microsoft.com/oidc/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{tenant}/discovery/v2.0/keys",
            "OIDC_EMAIL_CLAIM": "preferred_username",
        }
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["backends"] == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        BACKEND,
    ]
    assert loaded["enabled"] is True and loaded["claim"] == "preferred_username" and loaded["create"] is False
    off = json.loads(settings_from({}).stdout)
    assert off["enabled"] is False and BACKEND not in off["backends"]


def test_switching_single_sign_on_on_without_its_endpoints_stops_at_start_up():
    result = settings_from({"OIDC_ENABLED": "true", "OIDC_RP_CLIENT_ID": "client"})
    assert result.returncode != 0
    assert "OIDC_ENABLED needs OIDC_RP_CLIENT_SECRET, OIDC_OP_ISSUER" in result.stderr


@pytest.mark.parametrize(
    "claims, refused",
    [
        ({"email": "a@b.example", "email_verified": True}, False),
        ({"email": "a@b.example", "email_verified": "true"}, False),
        ({"email": "a@b.example"}, False),  # no claim: accepted unless OIDC_REQUIRE_EMAIL_VERIFIED
        ({"email": "a@b.example", "email_verified": False}, True),
        ({"email": "a@b.example", "email_verified": "false"}, True),
        ({"email": "a@b.example", "email_verified": None}, True),
        ({"email": "not-an-address"}, True),
        ({"email": ["a@b.example"]}, True),
        ({}, True),
    ],
)
def test_what_counts_as_a_verified_address(claims, refused):
    from partnerships.oidc import SignOnRefused

    if refused:
        with pytest.raises(SignOnRefused):
            verified_email(claims)
    else:
        assert verified_email(claims) == "a@b.example"


# --- Setting up from the provider's discovery document -------------------------------------------------


def test_the_settings_for_a_provider_are_printed_from_its_discovery_document(provider):
    out = StringIO()
    call_command("oidc_discover", provider.issuer, stdout=out)
    printed = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert printed == {
        "OIDC_OP_ISSUER": provider.issuer,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": provider.endpoint("authorize"),
        "OIDC_OP_TOKEN_ENDPOINT": provider.endpoint("token"),
        "OIDC_OP_USER_ENDPOINT": provider.endpoint("userinfo"),
        "OIDC_OP_JWKS_ENDPOINT": provider.endpoint("jwks"),
    }


def test_a_discovery_document_naming_another_issuer_is_refused(provider):
    with pytest.raises(CommandError, match="The provider says its issuer is"):
        call_command("oidc_discover", provider.url + "/openid/.", stdout=StringIO())
    with pytest.raises(CommandError, match="Could not read"):
        call_command("oidc_discover", provider.url + "/nothing-here", stdout=StringIO())
