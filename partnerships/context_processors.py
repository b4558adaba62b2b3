def navigation(request):
    """The signed-in user's role and partnerships, for the navigation bar (one query, reused by views)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"role_label": user.role_label}
