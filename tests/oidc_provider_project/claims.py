"""What the test provider says about its people (django-oidc-provider's OIDC_USERINFO and ID token hook)."""

import time


def userinfo(claims, user):
    claims["name"] = user.get_full_name() or user.username
    claims["email"] = user.email
    claims["email_verified"] = not user.groups.filter(name="unverified-email").exists()
    claims["preferred_username"] = user.email  # as Microsoft Entra ID gives the sign-in name
    return claims


def id_token_hook(id_token, user, **kwargs):
    groups = set(user.groups.values_list("name", flat=True))
    if "wrong-audience" in groups:  # a token minted for another application
        id_token["aud"] = "another-application"
    if "expired-token" in groups:
        id_token["exp"] = int(time.time()) - 3600
    return id_token
