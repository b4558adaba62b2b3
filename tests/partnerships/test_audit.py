"""The audit trail: every change to plans, reviews, measures, memberships and roles is kept
(who, when, what, old -> new), searchable by admins and exportable as CSV."""

from django.urls import reverse

from partnerships.models import AuditEvent, Membership


def test_a_deliverable_edit_is_audited_with_who_and_what(client_for, world):
    deliverable = world.deliverable_a
    client_for("officer_a").post(
        reverse("strategies:deliverable_update", args=[deliverable.pk]),
        {
            "title": deliverable.title,
            "lead_agency": deliverable.lead_agency,
            "due_date": "2013-03-31",
            "status": "at_risk",
            "version": deliverable.version,
        },
    )
    event = AuditEvent.objects.filter(model="Deliverable", object_id=str(deliverable.pk), action="~").get()
    assert event.user == world.users["officer_a"] and event.username == "officer_a"
    assert "Status: On track → At risk" in event.changes


def test_membership_and_role_changes_are_audited(world):
    Membership.objects.create(user=world.users["scrutiny"], partnership=world.a, role="officer")
    user = world.users["officer_b"]
    user.is_scrutiny_member = True
    user.save()
    assert AuditEvent.objects.filter(model="Membership", action="+").exists()
    event = AuditEvent.objects.filter(model="User", object_id=str(user.pk), action="~").get()
    assert "Scrutiny committee member: False → True" in event.changes


def test_a_sign_in_alone_adds_nothing_to_the_trail(client, world):
    before = AuditEvent.objects.count()
    world.users["officer_a"].save(update_fields=["last_login"])
    assert AuditEvent.objects.count() == before


def test_admins_search_the_trail_and_export_it(client_for, world):
    world.deliverable_b.title = "Renamed by someone"
    world.deliverable_b.save()
    client = client_for("admin")
    page = client.get(reverse("admin:partnerships_auditevent_changelist"), {"q": "Renamed by someone"})
    assert page.status_code == 200 and "Renamed by someone" in page.content.decode()
    fields = ["at", "username", "action", "model", "object_id", "object_repr", "changes", "reason"]
    export = client.post(
        reverse("admin:partnerships_auditevent_export"),
        {"format": "0", "resource": "0", **{f"auditeventresource_{name}": "on" for name in fields}},
    )
    assert export["Content-Type"].startswith("text/csv")
    body = export.content.decode()
    assert body.splitlines()[0].startswith("at,username,action,model") and "Renamed by someone" in body


def test_nobody_edits_the_trail(client_for, world):
    event = AuditEvent.objects.first()
    client = client_for("admin")
    response = client.post(reverse("admin:partnerships_auditevent_change", args=[event.pk]), {"changes": "x"})
    assert response.status_code == 403
    assert client_for("scrutiny").get(reverse("admin:partnerships_auditevent_changelist")).status_code == 302


def test_the_audit_export_uses_the_one_formula_rule(client_for, world):
    world.deliverable_b.title = "=HYPERLINK(1)"
    world.deliverable_b.save()
    fields = ["at", "username", "action", "model", "object_id", "object_repr", "changes", "reason"]
    export = client_for("admin").post(
        reverse("admin:partnerships_auditevent_export"),
        {"format": "0", "resource": "0", **{f"auditeventresource_{name}": "on" for name in fields}},
    )
    body = export.content.decode()
    assert "'=HYPERLINK(1)" in body  # escaped by partnerships.formulas, not stripped to "HYPERLINK(1)"
