"""The one permission layer every view goes through.

- Anonymous users are stopped by LoginRequiredMiddleware before any view runs.
- Everyone signed in reads everything (plans, measures, dashboards).
- Changing a partnership's plan needs ``partnership.can_edit(user)``: its officers and
  leads, and admins. Outsiders (officers of another partnership) get 404, as if the
  object did not exist for them; read-only roles (scrutiny members) get 403.
- Admin-only pages need ``user.is_admin``.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships.models import Partnership


def check_can_edit(user, partnership: Partnership) -> None:
    if partnership.can_edit(user):
        return
    if user.is_scrutiny_member:
        raise PermissionDenied("Scrutiny committee members can read plans but not change them.")
    raise Http404("No such page for you.")


def get_partnership_for_user(user, slug: str, *, write: bool = False, queryset=None) -> Partnership:
    partnership = get_object_or_404(queryset if queryset is not None else Partnership.objects, slug=slug)
    if write:
        check_can_edit(user, partnership)
    return partnership


def admin_required(view):
    """Admin-only pages: 403 for everyone else who is signed in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_admin:
            raise PermissionDenied("Only administrators can do this.")
        return view(request, *args, **kwargs)

    return wrapper
