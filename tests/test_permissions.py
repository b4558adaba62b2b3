"""Every URL in the URLconf, visited as every role.

The table below gives each URL name's expected outcome for GET and POST per role.
A URL that is not in the table fails ``test_every_url_has_an_expected_outcome``,
so a new view cannot ship without a permission rule (compare pretix's
src/tests/control/test_permissions.py).
"""

import pytest
from django.apps import apps
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from measures.models import SeriesBreak
from partnerships.models import Notification, User
from partnerships.notifications import notify
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent
from strategies.models import Deliverable, Objective, Strategy

ROLES = ["anonymous", "officer_a", "officer_b", "lead_a", "scrutiny", "admin"]
EVERYONE_SIGNED_IN = {role: 200 for role in ROLES if role != "anonymous"}

# Read pages: anonymous users are sent to the login page, everyone else reads.
READ = {"anonymous": "login", **EVERYONE_SIGNED_IN}
# Changing partnership A's plan: its own officers and lead, and admins. Officers of B get 404
# (A's plan is not theirs to know about for editing); scrutiny members get 403 (read-only role).
WRITE_A = {
    "anonymous": "login",
    "officer_a": 200,
    "lead_a": 200,
    "admin": 200,
    "officer_b": 404,
    "scrutiny": 403,
}

# POST-only actions answer a GET with 405 (after the login check).
POST_ONLY = {"anonymous": "login", **{role: 405 for role in EVERYONE_SIGNED_IN}}
# Evidence files: the partnership's own people, scrutiny members and admins; 404 for other officers.
EVIDENCE_A = {
    "anonymous": "login",
    "officer_a": 200,
    "lead_a": 200,
    "admin": 200,
    "officer_b": 404,
    "scrutiny": 200,
}
# Admin-only pages (imports): signed-in non-admins get 403, whatever their partnership.
ADMIN_ONLY = {"anonymous": "login", **{role: 403 for role in EVERYONE_SIGNED_IN}, "admin": 200}
ADMIN_POST_ONLY = {**ADMIN_ONLY, "admin": 405}

EXPECTED_GET = {
    "home": READ,
    "login": {"anonymous": 200, **{role: 302 for role in EVERYONE_SIGNED_IN}},
    "logout": {"anonymous": "login", **{role: 405 for role in EVERYONE_SIGNED_IN}},  # signing out is a POST
    "password_change": READ,
    "password_change_done": READ,
    "dashboards:partnerships": READ,
    "dashboards:partnership": READ,
    "strategies:list": READ,
    "strategies:detail": READ,
    "reviews:deliverable": READ,
    "strategies:objective_create": WRITE_A,
    "strategies:objective_update": WRITE_A,
    "strategies:deliverable_create": WRITE_A,
    "strategies:deliverable_update": WRITE_A,
    "reviews:index": READ,
    # The review pages are the partnership's working area: not for other partnerships' officers.
    "reviews:detail": {**READ, "officer_b": 404},
    "reviews:update": {**READ, "officer_b": 404},
    "reviews:submit": POST_ONLY,
    "reviews:return": POST_ONLY,
    "reviews:sign_off": POST_ONLY,
    "reviews:unlock": POST_ONLY,
    "reviews:quarter_create": POST_ONLY,
    "reviews:quarter_set_status": POST_ONLY,
    "reviews:evidence": EVIDENCE_A,
    "dashboards:overview": READ,
    "dashboards:priority": READ,
    "dashboards:paper": READ,
    "dashboards:horizon": READ,
    "strategies:refresh": {"anonymous": "login", **{r: 403 for r in EVERYONE_SIGNED_IN}, "admin": 200},
    # Adopting: the lead (and admins) see what adopting does and confirm; officers 403, outsiders 404.
    "strategies:adopt": {**WRITE_A, "officer_a": 403},
    "strategies:edit": WRITE_A,
    "measures:break_add": POST_ONLY,
    "strategies:merge": {"anonymous": "login", **{r: 403 for r in EVERYONE_SIGNED_IN}, "admin": 200},
    "strategies:split": {"anonymous": "login", **{r: 403 for r in EVERYONE_SIGNED_IN}, "admin": 404},
    "measures:rebaseline": {"anonymous": "login", **{r: 403 for r in EVERYONE_SIGNED_IN}, "admin": 200},
    "strategies:horizon_add": {"anonymous": "login", **{r: 403 for r in EVERYONE_SIGNED_IN}, "admin": 200},
    "strategies:horizon_edit": {"anonymous": "login", **{r: 403 for r in EVERYONE_SIGNED_IN}, "admin": 200},
    "dashboards:measures": READ,
    "partnerships:notifications": READ,
    "partnerships:notification_settings": READ,
    "partnerships:notifications_read": POST_ONLY,
    "dashboards:measure": READ,
    "measures:imports": ADMIN_ONLY,
    "measures:import_template": ADMIN_ONLY,
    "measures:mappings": ADMIN_ONLY,
    "measures:import_batch": ADMIN_ONLY,
    "measures:import_progress": ADMIN_ONLY,
    # Views that only take POSTs: GET is refused (405) for admins, after the permission check.
    "measures:import_preview": ADMIN_POST_ONLY,
    "measures:import_map_labels": ADMIN_POST_ONLY,
    "measures:import_apply": ADMIN_POST_ONLY,
    "measures:import_rollback": ADMIN_POST_ONLY,
    "measures:mapping_delete": ADMIN_POST_ONLY,
    "measures:ignored_label_delete": ADMIN_POST_ONLY,
}

SAVES_A = {**WRITE_A, "officer_a": 302, "lead_a": 302, "admin": 302}  # a successful POST redirects
SIGN_OFF_A = {**SAVES_A, "officer_a": 403}  # only the lead (and admins) sign off or return
NON_ADMINS_REFUSED = {
    "anonymous": "login",
    "officer_a": 403,
    "lead_a": 403,
    "officer_b": 403,
    "scrutiny": 403,
}

# Every view that changes data, with who may POST to it. Everyone else must change nothing.
EXPECTED_POST = {
    "strategies:objective_create": SAVES_A,
    "strategies:objective_update": SAVES_A,
    "strategies:deliverable_create": SAVES_A,
    "strategies:deliverable_update": SAVES_A,
    "reviews:detail": SAVES_A,
    "reviews:update": SAVES_A,
    "reviews:submit": SAVES_A,
    "reviews:return": SIGN_OFF_A,
    "reviews:sign_off": SIGN_OFF_A,
    "reviews:unlock": {**NON_ADMINS_REFUSED, "admin": 302},
    "reviews:quarter_create": {**NON_ADMINS_REFUSED, "admin": 302},
    "reviews:quarter_set_status": {**NON_ADMINS_REFUSED, "admin": 302},
    "strategies:adopt": SIGN_OFF_A,
    "strategies:edit": SAVES_A,
    # Each person's own notifications: everyone signed in marks theirs read or sets their emails.
    "partnerships:notifications_read": {"anonymous": "login", **{r: 302 for r in EVERYONE_SIGNED_IN}},
    "partnerships:notification_settings": {"anonymous": "login", **{r: 302 for r in EVERYONE_SIGNED_IN}},
    "measures:break_add": {**NON_ADMINS_REFUSED, "admin": 302},
}
WRITE_VIEWS = sorted(EXPECTED_POST)


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def url_for(name, world):
    review = {"slug": world.a.slug, "quarter_pk": world.quarter.pk}
    kwargs = {
        "reviews:detail": review,
        "reviews:submit": review,
        "reviews:return": review,
        "reviews:sign_off": review,
        "reviews:unlock": review,
        "reviews:update": {**review, "pk": world.deliverable_a.pk},
        "reviews:quarter_set_status": {"pk": world.quarter.pk},
        "reviews:evidence": {"pk": world.evidence_a.pk},
        "dashboards:priority": {"pk": world.priorities[0].pk},
        "strategies:horizon_edit": {"pk": world.horizon_item.pk},
        "strategies:adopt": {"pk": getattr(world, "draft", world.strategy_a).pk},
        "strategies:edit": {"pk": world.strategy_a.pk},
        "measures:break_add": {"slug": world.measure.slug},
        "strategies:split": {"slug": world.a.slug},
        "measures:rebaseline": {"slug": world.measure.slug, "partnership_slug": world.a.slug},
        "dashboards:partnership": {"slug": world.a.slug},
        "strategies:detail": {"pk": world.strategy_a.pk},
        "reviews:deliverable": {"pk": world.deliverable_a.pk},
        "strategies:objective_create": {"strategy_pk": world.strategy_a.pk},
        "strategies:objective_update": {"pk": world.objective_a.pk},
        "strategies:deliverable_create": {"objective_pk": world.objective_a.pk},
        "strategies:deliverable_update": {"pk": world.deliverable_a.pk},
        "dashboards:measure": {"slug": world.measure.slug},
        "measures:import_template": {"fmt": "csv"},
        "measures:import_batch": {"pk": world.batch.pk},
        "measures:import_progress": {"pk": world.batch.pk},
        "measures:import_preview": {"pk": world.batch.pk},
        "measures:import_map_labels": {"pk": world.batch.pk},
        "measures:import_apply": {"pk": world.batch.pk},
        "measures:import_rollback": {"pk": world.batch.pk},
        "measures:mapping_delete": {"pk": world.component.pk},
        "measures:ignored_label_delete": {"pk": world.ignored_label.pk},
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


def valid_post(name, world):
    update = {"status": "at_risk", "rag": "amber", "progress": 50, "commentary": "Slipping.", "version": 1}
    if name == "reviews:detail":
        return {f"d{world.deliverable_a.pk}-{key}": value for key, value in update.items()}
    if name == "reviews:update":
        return {"action": "update", **update}
    if name in ("reviews:return", "reviews:sign_off", "reviews:unlock"):
        return {"comment": "Checked at the board."}
    if name == "reviews:quarter_create":
        return {"first_year": 2011, "quarter": 2, "opens_on": "2011-10-01", "status": "scheduled"}
    if name == "reviews:quarter_set_status":
        return {"status": "closed"}
    if name == "measures:break_add":
        return {"starts_on": "2011-04-01", "note": "Recording rules changed"}
    if name == "reviews:submit":
        return {}
    if name == "strategies:adopt":
        return {"action": "confirm", "eia_waiver_reason": "The assessment is booked for May."}
    if name == "strategies:edit":
        return {"summary": "Our words for 2011-14.", "eia_date": "2011-03-01", "eia_note": "Assessed."}
    if name.startswith("strategies:objective"):
        return {"priority": world.priorities[0].pk, "title": "Changed objective wording", "order": 1}
    return {
        "title": "Changed deliverable",
        "description": "",
        "lead_agency": "Oxfordshire County Council",
        "owner": "",
        "due_date": "2013-03-31",
        "theme": "",
        "status": Deliverable.Status.AT_RISK,
        "closure_note": "",
        "version": world.deliverable_a.version,
    }


def test_every_url_has_an_expected_outcome():
    missing = [n for n in url_names() if not n.startswith("admin:") and n not in EXPECTED_GET]
    assert missing == [], f"Add a permission rule for: {missing}"


def assert_outcome(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content[:500]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED_GET))
def test_get_as_each_role(client_for, world, name, role):
    response = client_for(role).get(url_for(name, world))
    assert_outcome(response, EXPECTED_GET[name][role])


def plan_snapshot():
    """Everything a POST could change."""
    return (
        list(Objective.objects.order_by("pk").values_list("pk", "title")),
        list(Deliverable.objects.order_by("pk").values_list("pk", "title", "status", "version")),
        list(
            DeliverableUpdate.objects.order_by("pk").values_list(
                "pk", "status", "rag", "commentary", "version"
            )
        ),
        list(QuarterlyReview.objects.order_by("pk").values_list("pk", "status")),
        list(ReviewEvent.objects.order_by("pk").values_list("pk", "action")),
        list(ReportingQuarter.objects.order_by("pk").values_list("pk", "status")),
        list(Evidence.objects.order_by("pk").values_list("pk", "title")),
        list(Strategy.objects.order_by("pk").values_list("pk", "status", "summary", "eia_note")),
        list(SeriesBreak.objects.order_by("pk").values_list("pk", "starts_on")),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(User.objects.order_by("pk").values_list("pk", "email_off")),
    )


def prepare(name, world):
    """Put the review in the state the action needs (lead actions: submitted; unlock: signed off)."""
    if name.startswith("partnerships:notification"):  # something for everyone to read
        notify(User.objects.all(), Notification.Kind.SIGNED_OFF, "Alpha: 2011/12 Q1 review signed off")
    if name == "strategies:adopt":  # a draft 2012-15 for partnership A to adopt
        world.draft = Strategy.objects.create(
            partnership=world.a, framework=world.framework, first_year=2012, summary="Our 2012-15 strategy."
        )
    status = {
        "reviews:return": QuarterlyReview.Status.SUBMITTED,
        "reviews:sign_off": QuarterlyReview.Status.SUBMITTED,
        "reviews:unlock": QuarterlyReview.Status.SIGNED_OFF,
    }.get(name)
    if status:
        QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter, status=status)


# Pages that answer GET as read pages but also take a POST (the review page saves updates).
READ_PAGES_TAKING_POST = [
    "reviews:detail",
    "reviews:update",
    "strategies:adopt",
    "partnerships:notification_settings",
]


def test_every_post_view_has_an_expected_outcome():
    # Signing out is Django's own POST and changes no data.
    accepting_post = [
        n for n, rules in EXPECTED_GET.items() if rules in (WRITE_A, POST_ONLY) and n != "logout"
    ]
    assert sorted(accepting_post + READ_PAGES_TAKING_POST) == WRITE_VIEWS


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_post_as_each_role(client_for, world, name, role):
    prepare(name, world)
    before = plan_snapshot()
    response = client_for(role).post(url_for(name, world), valid_post(name, world))
    expected = EXPECTED_POST[name][role]
    assert_outcome(response, expected)
    if expected == 302:
        assert plan_snapshot() != before, "an allowed POST changed nothing"
    else:
        assert plan_snapshot() == before, "a refused POST changed something"


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "officer_b", "scrutiny"])
def test_scrutiny_and_officers_get_no_admin_pages(client_for, world, role):
    for name in admin_sample_urls(world):
        response = client_for(role).get(name)
        assert response.status_code == 302, name
        assert response.url.startswith(("/admin/login/", reverse("login")))


def admin_sample_urls(world):
    """The admin index and, for every registered model, its list, add and change pages."""
    from django.contrib import admin

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        request = RequestFactory().get("/")
        request.user = world.users["admin"]
        if admin.site._registry[model].has_add_permission(request):  # some records are only made in the app
            urls.append(reverse(f"{prefix}_add"))
        obj = model.objects.first()
        if obj is not None:
            urls.append(reverse(f"{prefix}_change", args=[obj.pk]))
            urls.append(reverse(f"{prefix}_history", args=[obj.pk]))
    return urls


def test_admin_sees_every_admin_page(client_for, world):
    client = client_for("admin")
    for url in admin_sample_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url


def test_admin_covers_every_model():
    from django.contrib import admin

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"partnerships", "strategies", "measures"}
        and not m.__name__.startswith("Historical")
        and not m._meta.auto_created
    ]
    assert [m.__name__ for m in ours if m not in admin.site._registry] == []
