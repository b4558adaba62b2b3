"""Error pages (plain English, never a stack trace), signing in (password or single sign-on) and each
person's notifications."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_http_methods, require_POST

from partnerships.forms import NotificationSettingsForm
from partnerships.notifications import mark_all_read
from partnerships.oidc import SignOnCallback, SignOnStart


def bad_request(request, exception):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request, exception):
    if not request.user.is_authenticated:  # anonymous visitors learn nothing, not even what exists
        return redirect_to_login(request.get_full_path())
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    return render(request, "errors/500.html", status=500)


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering single sign-on beside the password when it is switched on."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.OIDC_ENABLED:
            context["sso_label"] = f"Sign in with {settings.OIDC_PROVIDER_NAME}"
        return context


def single_sign_on(view):
    """Open to anonymous visitors (they are signing in), never cached, and a 404 unless OIDC_ENABLED."""

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is off")
        return view(request, *args, **kwargs)

    return wrapped


# mozilla-django-oidc's views: the first sends the browser to the provider, the second takes it back.
oidc_authenticate = single_sign_on(SignOnStart.as_view())
oidc_callback = single_sign_on(SignOnCallback.as_view())


def notifications(request):
    """What the signed-in person has been told, newest first, a page at a time."""
    page = Paginator(request.user.notifications.all(), 25).get_page(request.GET.get("page"))
    return render(request, "partnerships/notifications.html", {"page": page})


@require_POST
def notifications_read(request):
    read = mark_all_read(request.user)
    messages.success(request, f"Marked {read} notification{'s' if read != 1 else ''} as read.")
    return redirect("partnerships:notifications")


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """Which kinds of notification the person also wants by email (all arrive in the app)."""
    form = NotificationSettingsForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, "Saved your email settings.")
        return redirect("partnerships:notifications")
    return render(request, "partnerships/notification_settings.html", {"form": form})
