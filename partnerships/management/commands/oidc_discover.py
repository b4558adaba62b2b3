"""Print the single sign-on settings for a provider, read from its discovery document."""

import requests
from django.core.management.base import BaseCommand, CommandError

# Our setting -> the discovery document's key (OpenID Connect Discovery 1.0, section 3).
SETTINGS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class Command(BaseCommand):
    help = (
        "Read an OpenID provider's discovery document (ISSUER/.well-known/openid-configuration) and "
        "print the OIDC_OP_* environment variables for it, e.g. for Microsoft Entra ID: "
        "https://login.microsoftonline.com/<tenant id>/v2.0"
    )

    def add_arguments(self, parser):
        parser.add_argument("issuer", help="The provider's issuer URL.")
        parser.add_argument("--timeout", type=float, default=10, help="Seconds to wait for the provider.")

    def handle(self, *args, issuer, timeout, **options):
        issuer = issuer.rstrip("/")
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"Could not read {url}: {exc}") from exc
        # The ID tokens' "iss" must equal this exactly, so a document that names another issuer is refused
        # (Entra ID names its tenant by id: a tenant given by domain name gets the id back here).
        if document.get("issuer") != issuer:
            raise CommandError(
                f"The provider says its issuer is {document.get('issuer')!r}, not {issuer!r}: "
                "run again with that."
            )
        missing = [key for key in SETTINGS.values() if not document.get(key)]
        if missing:
            raise CommandError(f"The discovery document has no {', '.join(missing)}.")
        for name, key in SETTINGS.items():
            self.stdout.write(f"{name}={document[key]}")
        if "RS256" not in document.get("id_token_signing_alg_values_supported", ["RS256"]):
            self.stderr.write("The provider does not sign ID tokens with RS256: set OIDC_RP_SIGN_ALGO.")
