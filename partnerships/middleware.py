"""Two rules every response follows, whatever the view: a signed-in user with no role sees only a page
saying so, and pages for signed-in users are never kept by a browser or a shared cache."""

from django.shortcuts import render
from django.urls import reverse

# What a user with no role may still do: sign out and change their password (or sign in again, as someone
# else, with single sign-on).
NO_ROLE_ALLOWED = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "partnerships:oidc_authenticate",
    "partnerships:oidc_callback",
}


class NoRoleMiddleware:
    """A signed-in user with no role (no membership, not a scrutiny member, not an admin) gets one page
    saying so: 200 at the home page, 403 everywhere else (the Django admin included). Nothing else is
    shown, so a removed membership or a new account cannot read partnerships' working areas."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.has_role:
            return None
        if request.resolver_match.view_name in NO_ROLE_ALLOWED:
            return None
        status = 200 if request.path == reverse("home") and request.method in ("GET", "HEAD") else 403
        return render(request, "partnerships/no_role.html", status=status)


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user (pages with personal
    data, downloads, exports) unless the view chose its own; static files are served before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
