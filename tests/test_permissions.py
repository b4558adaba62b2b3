"""Every URL pattern in the URLconf, visited with GET and POST as every role.

The tables below give each URL's expected outcome for GET and for POST, per role, including a signed-in
user with no role. A URL pattern that is not in both tables fails ``test_every_url_has_an_expected_outcome``
(unnamed patterns too: they are found by walking the URLconf), so a new view cannot ship without a rule
for both methods (compare pretix's src/tests/control/test_permissions.py).

A POST must change exactly what its rule allows: the whole database of the five apps is compared before
and after, so a POST handler hidden behind a read-only rule is caught whatever it writes. A handler that
only writes when given the right fields is caught too: a view that reads the request body at all must be
expected to save (302, with ``valid_post`` giving the fields its form accepts), so no form can sit behind
a rule that lists its page as read-only and never sends it anything.
"""

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partnerships.models import Notification, User
from partnerships.notifications import notify
from reviews.models import QuarterlyReview
from strategies.models import Deliverable, Strategy
from tests.factories import PASSWORD

ROLES = ["anonymous", "no_role", "officer_a", "officer_b", "lead_a", "scrutiny", "admin"]
WITH_A_ROLE = ["officer_a", "officer_b", "lead_a", "scrutiny", "admin"]
EVERYONE_WITH_A_ROLE = {role: 200 for role in WITH_A_ROLE}

# A signed-in user with no role sees one page saying so: 403 everywhere (200 at home).
# Read pages: anonymous users are sent to the login page, everyone with a role reads.
READ = {"anonymous": "login", "no_role": 403, **EVERYONE_WITH_A_ROLE}
# Changing partnership A's plan: its own officers and lead, and admins. Officers of B get 404
# (A's plan is not theirs to know about for editing); scrutiny members get 403 (read-only role).
WRITE_A = {
    "anonymous": "login",
    "no_role": 403,
    "officer_a": 200,
    "lead_a": 200,
    "admin": 200,
    "officer_b": 404,
    "scrutiny": 403,
}

# POST-only actions answer a GET with 405 (after the login and role checks).
POST_ONLY = {"anonymous": "login", "no_role": 403, **{role: 405 for role in WITH_A_ROLE}}
# Evidence files: the partnership's own people, scrutiny members and admins; 404 for other officers.
EVIDENCE_A = {**READ, "officer_b": 404}
# Admin-only pages: signed-in non-admins get 403, whatever their partnership.
ADMIN_ONLY = {"anonymous": "login", "no_role": 403, **{role: 403 for role in WITH_A_ROLE}, "admin": 200}
ADMIN_POST_ONLY = {**ADMIN_ONLY, "admin": 405}
# Single sign-on's addresses while it is off (the default): they do not exist. Anonymous visitors are sent to
# sign in, as from any unknown address; everyone signed in, with a role or not, gets 404. With it on, see
# test_single_sign_on_as_each_role below.
SSO_OFF = {"anonymous": "login", "no_role": 404, **{role: 404 for role in WITH_A_ROLE}}

EXPECTED_GET = {
    "home": {**READ, "no_role": 200},  # the page that says "you have no role yet"
    "login": {"anonymous": 200, "no_role": 302, **{role: 302 for role in WITH_A_ROLE}},
    "logout": {"anonymous": "login", "no_role": 405, **{role: 405 for role in WITH_A_ROLE}},
    "password_change": {**READ, "no_role": 200},
    "password_change_done": {**READ, "no_role": 200},
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
    "dashboards:how_we_judge": READ,
    "dashboards:figures": READ,
    "dashboards:paper_file": READ,
    "dashboards:paper_download": READ,
    "strategies:refresh": ADMIN_ONLY,
    # Adopting: the lead (and admins) see what adopting does and confirm; officers 403, outsiders 404.
    "strategies:adopt": {**WRITE_A, "officer_a": 403},
    "strategies:edit": WRITE_A,
    "partnerships:notifications": READ,
    "partnerships:notification_settings": READ,
    "partnerships:notifications_read": POST_ONLY,
    "measures:break_add": POST_ONLY,
    "strategies:merge": ADMIN_ONLY,
    "strategies:split": {**ADMIN_ONLY, "admin": 404},  # A is not a pilot merger
    "measures:rebaseline": ADMIN_ONLY,
    "strategies:horizon_add": ADMIN_ONLY,
    "strategies:horizon_edit": ADMIN_ONLY,
    "dashboards:measures": READ,
    "dashboards:measure": READ,
    "measures:imports": ADMIN_ONLY,
    "measures:import_template": ADMIN_ONLY,
    "measures:mappings": ADMIN_ONLY,
    "measures:populations": ADMIN_ONLY,
    "measures:import_batch": ADMIN_ONLY,
    "measures:import_progress": ADMIN_ONLY,
    # Views that only take POSTs: GET is refused (405) for admins, after the permission check.
    "measures:import_preview": ADMIN_POST_ONLY,
    "measures:import_map_labels": ADMIN_POST_ONLY,
    "measures:import_apply": ADMIN_POST_ONLY,
    "measures:import_rollback": ADMIN_POST_ONLY,
    "measures:mapping_delete": ADMIN_POST_ONLY,
    "measures:ignored_label_delete": ADMIN_POST_ONLY,
    "partnerships:oidc_authenticate": SSO_OFF,
    "partnerships:oidc_callback": SSO_OFF,
}

SAVES_A = {**WRITE_A, "officer_a": 302, "lead_a": 302, "admin": 302}  # a successful POST redirects
SIGN_OFF_A = {**SAVES_A, "officer_a": 403}  # only the lead (and admins) sign off or return
ADMIN_SAVES = {**ADMIN_ONLY, "admin": 302}
# Read pages and GET-only downloads: a POST is answered like the GET (the page again) or refused with
# 405, and changes nothing for anyone.
READ_POST = READ
GET_ONLY_ADMIN = {**ADMIN_ONLY, "admin": 405}

# Every URL's POST, with who may change what. A 302 here must change the database; every other
# outcome must leave it exactly as it was (see NO_CHANGE_EXPECTED for the allowed POSTs that don't).
EXPECTED_POST = {
    "home": {**READ_POST, "no_role": 403},
    "login": {"anonymous": 302, "no_role": 302, **{role: 302 for role in WITH_A_ROLE}},
    "logout": {"anonymous": "login", "no_role": 302, **{role: 302 for role in WITH_A_ROLE}},
    "password_change": {**SAVES_A, "no_role": 302, "officer_b": 302, "scrutiny": 302},  # their own password
    "password_change_done": {"anonymous": "login", "no_role": 405, **{role: 405 for role in WITH_A_ROLE}},
    "dashboards:partnerships": READ_POST,
    "dashboards:partnership": READ_POST,
    "strategies:list": READ_POST,
    "strategies:detail": READ_POST,
    "reviews:deliverable": READ_POST,
    "reviews:index": READ_POST,
    "reviews:evidence": EVIDENCE_A,
    "dashboards:overview": READ_POST,
    "dashboards:priority": READ_POST,
    "dashboards:paper": READ_POST,
    "dashboards:horizon": READ_POST,
    "dashboards:how_we_judge": READ_POST,
    "dashboards:figures": READ_POST,
    "dashboards:paper_file": READ_POST,
    "dashboards:paper_download": READ_POST,
    "dashboards:measures": READ_POST,
    "dashboards:measure": READ_POST,
    "strategies:objective_create": SAVES_A,
    "strategies:objective_update": SAVES_A,
    "strategies:deliverable_create": SAVES_A,
    "strategies:deliverable_update": SAVES_A,
    "reviews:detail": {**SAVES_A, "officer_b": 404},
    "reviews:update": {**SAVES_A, "officer_b": 404},
    "reviews:submit": SAVES_A,
    "reviews:return": SIGN_OFF_A,
    "reviews:sign_off": SIGN_OFF_A,
    "reviews:unlock": ADMIN_SAVES,
    "reviews:quarter_create": ADMIN_SAVES,
    "reviews:quarter_set_status": ADMIN_SAVES,
    "strategies:adopt": SIGN_OFF_A,
    "strategies:edit": SAVES_A,
    # Each person's own notifications: everyone with a role marks theirs read or sets their emails.
    "partnerships:notifications": READ_POST,
    "partnerships:notifications_read": {
        "anonymous": "login",
        "no_role": 403,
        **{r: 302 for r in WITH_A_ROLE},
    },
    "partnerships:notification_settings": {
        "anonymous": "login",
        "no_role": 403,
        **{r: 302 for r in WITH_A_ROLE},
    },
    "strategies:refresh": ADMIN_SAVES,
    "strategies:merge": ADMIN_SAVES,
    "strategies:split": {**ADMIN_ONLY, "admin": 404},
    "strategies:horizon_add": ADMIN_SAVES,
    "strategies:horizon_edit": ADMIN_SAVES,
    "measures:break_add": ADMIN_SAVES,
    "measures:rebaseline": ADMIN_SAVES,
    "measures:imports": ADMIN_SAVES,
    "measures:import_template": GET_ONLY_ADMIN,
    "measures:mappings": ADMIN_SAVES,
    "measures:populations": ADMIN_SAVES,
    "measures:import_batch": ADMIN_ONLY,
    "measures:import_progress": GET_ONLY_ADMIN,
    "measures:import_preview": ADMIN_SAVES,
    "measures:import_map_labels": ADMIN_SAVES,
    "measures:import_apply": ADMIN_SAVES,
    "measures:import_rollback": ADMIN_SAVES,
    "measures:mapping_delete": ADMIN_SAVES,
    "measures:ignored_label_delete": ADMIN_SAVES,
    "partnerships:oidc_authenticate": SSO_OFF,
    "partnerships:oidc_callback": SSO_OFF,
}
# Allowed POSTs that redirect without changing the five apps' data, with the one table each may still touch:
# signing in (the sign-in time is saved and simple-history keeps a row for it, which the audit trail skips)
# and out, re-reading an import whose file is gone, and mapping no lines.
IMPORT_CSV = b"area,area code,measure or offence,period,value\nAlpha district,,Burglary,2011/12 Q2,12\n"
NO_CHANGE_EXPECTED = {
    "login": {"partnerships.HistoricalUser"},
    "logout": set(),
    "measures:import_preview": set(),
    "measures:import_map_labels": set(),
}


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, name) for every pattern outside the Django admin, named or not."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue  # the admin's own pages: see test_admin_pages_* below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else None


def test_every_url_has_an_expected_outcome():
    patterns = list(url_patterns())
    unnamed = [route for route, name in patterns if name is None]
    assert unnamed == [], f"Name these URL patterns and give them permission rules: {unnamed}"
    names = [name for _, name in patterns]
    assert sorted(n for n in names if n not in EXPECTED_GET) == [], "Add a GET rule"
    assert sorted(n for n in names if n not in EXPECTED_POST) == [], "Add a POST rule"
    assert sorted(EXPECTED_GET) == sorted(EXPECTED_POST) == sorted(set(names)), "A rule for a URL gone"
    for name in names:
        assert set(EXPECTED_GET[name]) == set(ROLES) == set(EXPECTED_POST[name]), name


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
    if name in ("dashboards:paper_file", "dashboards:paper_download"):
        kwargs = {"pk": ready_paper().pk}
    return reverse(name, kwargs=kwargs)


def ready_paper():
    """A committee paper typeset earlier (papers are not anyone's own: every role that reads reads them)."""
    from django.core.files.base import ContentFile

    from dashboards.models import Paper

    paper, created = Paper.objects.get_or_create(
        fingerprint="permissions", defaults={"title": "Paper", "file_name": "paper.pdf", "status": "ready"}
    )
    if created:
        paper.file.save("paper.pdf", ContentFile(b"%PDF-1.4 a paper"), save=True)
    return paper


def valid_post(name, world):
    """A POST the role allowed to make it would have accepted."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    update = {"status": "at_risk", "rag": "amber", "progress": 50, "commentary": "Slipping.", "version": 1}
    deliverable = {
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
    horizon = {"kind": "law", "body": "Home Office", "status": "expected", "impact": "high"}
    return {
        "reviews:detail": {f"d{world.deliverable_a.pk}-{key}": value for key, value in update.items()},
        "reviews:update": {"action": "update", **update},
        "reviews:return": {"comment": "Checked at the board."},
        "measures:import_apply": {"preview": "shown"},
        "reviews:sign_off": {"comment": "Checked at the board."},
        "reviews:unlock": {"comment": "Checked at the board."},
        "reviews:quarter_create": {
            "first_year": 2011,
            "quarter": 2,
            "opens_on": "2011-10-01",
            "status": "scheduled",
        },
        "reviews:quarter_set_status": {"status": "closed"},
        "measures:break_add": {"starts_on": "2011-04-01", "note": "Recording rules changed"},
        "strategies:objective_create": {
            "priority": world.priorities[0].pk,
            "title": "Changed objective wording",
            "order": 1,
        },
        "strategies:objective_update": {
            "priority": world.priorities[0].pk,
            "title": "Changed objective wording",
            "order": 1,
        },
        "strategies:deliverable_create": deliverable,
        "strategies:deliverable_update": deliverable,
        "strategies:refresh": {
            "first_year": 2014,
            "framework": world.framework.pk,
            "partnerships": [world.a.pk],
            "action": "confirm",
        },
        "strategies:merge": {
            "predecessors": [world.a.pk, world.b.pk],
            "name": "Alpha and Beta CSP",
            "effective_from": "2012-04-01",
            "action": "confirm",
        },
        "strategies:split": {"ended_on": "2013-04-01", "action": "confirm"},
        "strategies:adopt": {"action": "confirm", "eia_waiver_reason": "The assessment is booked for May."},
        "strategies:edit": {
            "summary": "Our words for 2011-14.",
            "eia_date": "2011-03-01",
            "eia_note": "Assessed.",
        },
        "partnerships:notification_settings": {},
        "strategies:horizon_add": {**horizon, "title": "Serious violence duty"},
        "strategies:horizon_edit": {**horizon, "title": "Crime Strategy, revised"},
        "measures:rebaseline": {"value": "500", "year": 2010, "reason": "Boundary change"},
        "measures:imports": {"file": SimpleUploadedFile("figures.csv", IMPORT_CSV, "text/csv"), "layout": ""},
        "measures:mappings": {"label": "Robbery", "target": str(world.measure.pk)},
        "measures:populations": {
            "file": SimpleUploadedFile("mye.csv", b"Code,Name,All ages\n,Alpha district,12345\n", "text/csv"),
            "year": "2011",
        },
        "password_change": {
            "old_password": PASSWORD,
            "new_password1": "a-new-Passphrase-2011",
            "new_password2": "a-new-Passphrase-2011",
        },
        "login": {"username": "officer_a", "password": PASSWORD},
    }.get(name, {})


def read_the_body(response):
    """Whether the view looked at what was posted (request.POST, FILES, body or the stream)."""
    request = response.wsgi_request
    return request._read_started or any(hasattr(request, a) for a in ("_post", "_files", "_body"))


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


def database_snapshot():
    """Every row of every table of the five apps (history included), and the users' roles."""
    rows = {}
    for label in ("partnerships", "measures", "strategies", "reviews"):
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return rows


def prepare(name, world):
    """Put the data in the state the action needs (lead actions: submitted; unlock: signed off; ...)."""
    if name == "strategies:adopt":  # a draft 2012-15 for partnership A to adopt
        world.draft = Strategy.objects.create(
            partnership=world.a, framework=world.framework, first_year=2012, summary="Our 2012-15 strategy."
        )
    if name.startswith("partnerships:notification"):  # something for everyone to read
        notify(User.objects.all(), Notification.Kind.SIGNED_OFF, "Alpha: 2011/12 Q1 review signed off")
    if name == "measures:import_apply":  # a previewed import of a file with one figure
        world.batch.status = world.batch.Status.PREVIEWED
        world.batch.summary = {**(world.batch.summary or {}), "preview": "shown"}
        world.batch.file.save("figures.csv", ContentFile(IMPORT_CSV), save=False)
        world.batch.save()
    status = {
        "reviews:return": QuarterlyReview.Status.SUBMITTED,
        "reviews:sign_off": QuarterlyReview.Status.SUBMITTED,
        "reviews:unlock": QuarterlyReview.Status.SIGNED_OFF,
    }.get(name)
    if status:
        QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter, status=status)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED_POST))
def test_post_as_each_role(client_for, world, name, role):
    prepare(name, world)
    client = client_for(role)
    before = database_snapshot()
    response = client.post(url_for(name, world), valid_post(name, world))
    expected = EXPECTED_POST[name][role]
    assert_outcome(response, expected)
    after = database_snapshot()
    if read_the_body(response):  # a form: its rule must say who saves, and valid_post must reach the save
        assert expected in (302, 403, 404, "login"), f"{name} reads what is posted: give valid_post a save"
    if expected == 302 and name not in NO_CHANGE_EXPECTED:
        assert after != before, "an allowed POST changed nothing"
    else:
        allowed = NO_CHANGE_EXPECTED.get(name, set()) if expected == 302 else set()
        changed = [label for label in before if before[label] != after[label] and label not in allowed]
        assert changed == [], f"a refused or read-only POST changed {changed}"


# With single sign-on on: starting it sends anyone (signed in or not, with a role or not: signing in as
# someone else is allowed) to the provider; the callback with no code from the provider goes back to the login
# page with a reason; both answer only GET. None of it changes the five apps' data.
SSO_ON = {
    "partnerships:oidc_authenticate": {"GET": "provider", "POST": 405},
    "partnerships:oidc_callback": {"GET": "login", "POST": 405},
}
PROVIDER = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(SSO_ON))
def test_single_sign_on_as_each_role(client_for, world, settings, name, role, method):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "csp-tracker"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_ISSUER = f"{PROVIDER}/v2.0"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/oauth2/v2.0/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/oauth2/v2.0/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://graph.microsoft.com/oidc/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{PROVIDER}/discovery/v2.0/keys"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "partnerships.oidc.SingleSignOnBackend",
    ]
    client = client_for(role)
    before = database_snapshot()
    response = getattr(client, method.lower())(url_for(name, world))
    expected = SSO_ON[name][method]
    if expected == "provider":
        assert response.status_code == 302
        assert response.url.startswith(settings.OIDC_OP_AUTHORIZATION_ENDPOINT + "?")
    else:
        assert_outcome(response, expected)
    assert database_snapshot() == before


def admin_sample_urls(world, *, deletes=True):
    """The admin index and, for every registered model, its list, add, change, history (and delete) pages."""
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
            if deletes:
                urls.append(reverse(f"{prefix}_delete", args=[obj.pk]))
    return urls


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["anonymous", "officer_a", "lead_a", "officer_b", "scrutiny"])
def test_admin_pages_send_everyone_but_admins_to_sign_in(client_for, world, role, method):
    client = client_for(role)
    before = database_snapshot()
    for url in admin_sample_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(("/admin/login/", reverse("login")))
    assert database_snapshot() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_admin_pages_refuse_a_user_with_no_role_even_if_staff(client_for, world, method):
    world.users["no_role"].is_staff = True  # staff status alone is no role
    world.users["no_role"].save()
    client = client_for("no_role")
    before = database_snapshot()
    for url in admin_sample_urls(world):
        assert getattr(client, method)(url).status_code == 403, url
    assert database_snapshot() == before


def test_admin_sees_every_admin_page(client_for, world):
    client = client_for("admin")
    for url in admin_sample_urls(world, deletes=False):
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
