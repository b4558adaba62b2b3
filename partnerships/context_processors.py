# Which menu item a page belongs to, by its URL name (namespace:name) or namespace.
NAV_SECTIONS = {
    "dashboards:partnerships": "partnerships",
    "dashboards:partnership": "partnerships",
    "strategies:merge": "partnerships",
    "strategies:split": "partnerships",
    "dashboards:measures": "measures",
    "dashboards:measure": "measures",
    "measures:rebaseline": "measures",
    "measures:break_add": "measures",
    "dashboards:overview": "dashboards",
    "dashboards:priority": "dashboards",
    "dashboards:paper": "dashboards",
    "dashboards:horizon": "dashboards",
    "strategies:horizon_add": "dashboards",
    "strategies:horizon_edit": "dashboards",
    "reviews:deliverable": "strategies",
    "strategies": "strategies",
    "reviews": "reviews",
    "measures": "imports",
    "partnerships": "notifications",
}


def navigation(request):
    """The signed-in user's role, what the menu offers them and where they are in it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None:
        section = NAV_SECTIONS.get(match.view_name, NAV_SECTIONS.get(match.namespace, ""))
    return {
        "role_label": user.role_label,
        "has_role": user.has_role,
        "nav_section": section,
        "can_run_site": user.is_admin,
        "unread_notifications": user.unread_notifications,
    }
