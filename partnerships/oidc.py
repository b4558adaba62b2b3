"""Single sign-on with OpenID Connect (mozilla-django-oidc), off unless ``OIDC_ENABLED``.

The provider (Microsoft Entra ID, or any standard OpenID provider) vouches for an email address; the one
active user who already has that address (case ignored) is signed in. Nobody is ever created here: an
administrator adds people, with their work address, before they can use single sign-on. Every refusal
goes back to the login page with a sentence saying why, never an error page.

mozilla-django-oidc runs the authorization-code flow (state, nonce and PKCE kept in the session, the code
exchanged for tokens, the ID token's signature checked against the provider's keys). On top of it:

- the ID token's issuer, audience, expiry and issue time are checked (``OIDC_OP_ISSUER``, the client id,
  ``OIDC_CLOCK_SKEW_SECONDS``): the library checks the signature and expiry but not whom the token is for;
- claims come from the ID token, with the userinfo endpoint's filling gaps (Entra ID puts
  ``preferred_username`` and its optional claims in the ID token only), and the two must be about the
  same subject;
- the address is ``OIDC_EMAIL_CLAIM``; ``OIDC_EMAIL_VERIFIED_CLAIM`` must be true when present (and must be
  present with ``OIDC_REQUIRE_EMAIL_VERIFIED``).
"""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)


class SignOnRefused(Exception):
    """Why a person the provider vouched for is not signed in; shown to them on the login page."""


def _provider():
    return settings.OIDC_PROVIDER_NAME


def refuse(request, message: str) -> None:
    """Tell the person why on the login page (once per attempt)."""
    if not getattr(request, "sso_refused", False):
        messages.error(request, message)
        request.sso_refused = True


def _is_true(value) -> bool:
    # Some providers send the JSON string "true" rather than true.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def verified_email(claims: dict) -> str:
    """The address the provider vouches for, or SignOnRefused saying why not."""
    email = claims.get(settings.OIDC_EMAIL_CLAIM)
    if not isinstance(email, str) or "@" not in email.strip():
        raise SignOnRefused(
            f"{_provider()} did not send your email address, so you cannot be signed in with it. "
            "Ask your IT team, or sign in with your username and password."
        )
    email = email.strip()
    flag = settings.OIDC_EMAIL_VERIFIED_CLAIM
    if (flag in claims and not _is_true(claims[flag])) or (
        flag not in claims and settings.OIDC_REQUIRE_EMAIL_VERIFIED
    ):
        raise SignOnRefused(
            f"{_provider()} has not confirmed that {email} is your address, so it cannot be used to sign "
            "in here. Ask your IT team, or sign in with your username and password."
        )
    return email


def user_for_email(email: str):
    """The one active user with this address (case ignored), or SignOnRefused saying why not."""
    from partnerships.models import User

    users = list(User.objects.filter(email__iexact=email).order_by("pk")[:2])
    if not users:
        raise SignOnRefused(
            f"No account here uses {email}. Ask an administrator of the tracker to add you with that "
            "address, then sign in again."
        )
    if len(users) > 1:
        raise SignOnRefused(
            f"More than one account here uses {email}, so single sign-on cannot tell which is yours. Ask "
            "an administrator to fix it, or sign in with your username and password."
        )
    if not users[0].is_active:
        raise SignOnRefused(
            f"The account that uses {email} is switched off. Ask an administrator of the tracker if you "
            "need it again."
        )
    return users[0]


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """Signs in the existing active user whose address the provider verified; never creates one.

    Listed after axes and the password backend (config/settings.py) only when OIDC_ENABLED. It answers
    only the callback's call (which passes the nonce), never a password sign-in."""

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SignOnRefused as refusal:
            logger.info("single sign-on refused: %s", refusal)
            refuse(request, str(refusal))
        except (requests.RequestException, jwt.PyJWTError, SuspiciousOperation, ValueError, KeyError):
            logger.warning("single sign-on: the provider's answer failed its checks", exc_info=True)
            refuse(
                request,
                f"{_provider()}'s answer could not be checked, so you were not signed in. Please try again; "
                "if it keeps happening, tell an administrator.",
            )
        return None

    def get_payload_data(self, token, key):
        """The ID token's claims, once its signature, algorithm, issuer, audience and times check out."""
        algorithm = jwt.get_unverified_header(token).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {algorithm!r}, not {self.OIDC_RP_SIGN_ALGO!r}")
        return jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_OP_ISSUER,
            leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the userinfo endpoint's where the ID token has none."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the ID token")
        return {**userinfo, **payload}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = verified_email(claims)
        self.request.sso_email = email.lower()  # for axes' record of the attempt (axes_username)
        return user_for_email(email)

    def create_user(self, claims):  # never: OIDC_CREATE_USER is False and get_or_create_user never calls it
        raise SignOnRefused("Single sign-on does not create accounts.")

    def get_user(self, user_id):
        # Django's own check (the library's returns switched-off users too): a user switched off while
        # signed in is signed out on their next request.
        return ModelBackend.get_user(self, user_id)


class SignOnStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, keeping state, nonce and PKCE verifier in the session."""


class SignOnCallback(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; refusals go to the login page with a reason."""

    @property
    def failure_url(self):
        return reverse("login")

    def get(self, request):
        state = request.GET.get("state")
        states = request.session.get("oidc_states", {})
        if request.GET.get("error"):
            # The provider refused or the person cancelled. Forget the state (no replay); unlike the
            # library, do not sign out someone already signed in: a link alone must not do that.
            if state in states:
                del states[state]
                request.session.modified = True
            return self.login_failure()
        if "code" in request.GET and state not in states:
            refuse(
                request,
                "That sign-in could not be checked: it was not started in this browser, or it has been used "
                "already. Please try again.",
            )
            return self.login_failure()
        return super().get(request)

    def login_failure(self):
        refuse(
            self.request,
            f"{_provider()} did not sign you in. Try again, or sign in with your username and password.",
        )
        return HttpResponseRedirect(self.failure_url)


def axes_username(request, credentials=None):
    """The name django-axes counts a sign-in attempt under (``AXES_USERNAME_CALLABLE``).

    A password sign-in: the username typed, as axes does by default. A single sign-on: the address the
    provider vouched for, as ``sso:<address>``, so each refused address is recorded on its own and people
    without an account cannot lock single sign-on for everyone behind the same address."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    email = getattr(request, "sso_email", None)
    if email:
        return f"sso:{email}"
    if credentials is not None:
        return credentials.get("username")
    return request.POST.get("username")
