"""The audit trail: every historical record django-simple-history keeps also becomes an AuditEvent,
with who, when, what and old -> new in words, so admins can search and export it in one place."""

from django.dispatch import receiver
from django.utils.text import capfirst
from simple_history.signals import post_create_historical_record

from partnerships.models import AuditEvent

MAX_CHANGES = 4000


def describe(model, field_name: str, value) -> str:
    if value in (None, ""):
        return "–"
    field = model._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.many_to_many:
        return ", ".join(str(v) for v in value) if value else "–"
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=getattr(value, "pk", value)).first()
        return str(related) if related else f"#{value}"
    return str(value)[:300]


@receiver(post_create_historical_record)
def record_audit_event(sender, instance, history_instance, history_user, **kwargs):
    model = type(instance)
    changes = ""
    if history_instance.history_type == "~":
        previous = history_instance.prev_record
        if previous is not None:
            delta = history_instance.diff_against(previous, excluded_fields=["version"])
            changes = "; ".join(
                f"{capfirst(model._meta.get_field(c.field).verbose_name)}: "
                f"{describe(model, c.field, c.old)} → {describe(model, c.field, c.new)}"
                for c in delta.changes
            )
            if not changes:
                return  # nothing that is tracked changed (for example a sign-in time)
    user = history_user if getattr(history_user, "pk", None) else None
    AuditEvent.objects.create(
        at=history_instance.history_date,
        user=user,
        username=user.get_username() if user else "",
        action=history_instance.history_type,
        model=capfirst(model._meta.verbose_name),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes[:MAX_CHANGES],
        reason=(history_instance.history_change_reason or "")[:300],
    )
