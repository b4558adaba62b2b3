"""Error pages: plain English, never a stack trace."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


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
