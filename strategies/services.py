"""Changes to action plans that need more than one model's save."""

from django.db import transaction
from django.db.models import F

from strategies.models import Deliverable


class EditConflict(Exception):
    """Someone else saved the same thing since this user started editing it."""

    def __init__(self, current: Deliverable, changes: list[tuple[str, str, str]]):
        super().__init__("Edited by someone else in the meantime.")
        self.current = current
        self.changes = changes


def deliverable_save(*, deliverable: Deliverable, expected_version: int | None, user) -> Deliverable:
    """Save an edited deliverable unless someone else saved it after ``expected_version``.

    The check and the write are one UPDATE ... WHERE version = expected, so two
    simultaneous saves cannot both win.
    """
    with transaction.atomic():
        if deliverable.pk is None:
            deliverable._history_user = user
            deliverable.save()
            return deliverable
        fields = [f.attname for f in Deliverable._meta.concrete_fields if f.attname not in ("id", "version")]
        values = {name: getattr(deliverable, name) for name in fields if name != "updated_at"}
        updated = Deliverable.objects.filter(pk=deliverable.pk, version=expected_version).update(
            version=F("version") + 1, **values
        )
        current = Deliverable.objects.select_related("owner", "theme").get(pk=deliverable.pk)
        if not updated:
            raise EditConflict(current, changes_since(current, expected_version))
        # Record the change in the deliverable's history (update() bypasses save()).
        current._history_user = user
        current.save(update_fields=["updated_at"])
        return current


def changes_since(current: Deliverable, version: int | None) -> list[tuple[str, str, str]]:
    """(field, who changed it, value now) for everything changed after the user's version."""
    records = list(current.history.select_related("history_user").order_by("-history_date", "-history_id"))
    if not records:
        return []
    newest = records[0]
    base = next((r for r in records if r.version == version), None)
    if base is None or base is newest:
        base = records[1] if len(records) > 1 else None
    if base is None:
        return []
    who = ", ".join(sorted({str(r.history_user or "someone") for r in records if r.version > base.version}))
    delta = newest.diff_against(base, excluded_fields=["version"])
    return [
        (Deliverable._meta.get_field(change.field).verbose_name, who, display_value(current, change.field))
        for change in delta.changes
    ]


def display_value(deliverable: Deliverable, field: str) -> str:
    return field_display(field, getattr(deliverable, f"{field}_id", None) or getattr(deliverable, field))


def field_display(field: str, value) -> str:
    """A stored value as people read it: choice labels, names rather than ids, dashes for blanks."""
    model_field = Deliverable._meta.get_field(field)
    if value in (None, ""):
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        related = model_field.related_model.objects.filter(pk=getattr(value, "pk", value)).first()
        return str(related) if related else "(deleted)"
    return str(value)


def deliverable_history(deliverable: Deliverable, limit: int = 50) -> list[dict]:
    """Newest first: who, when, and each field's old -> new value."""
    records = list(
        deliverable.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        changes = None
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["version"])
            changes = [
                {
                    "field": Deliverable._meta.get_field(c.field).verbose_name,
                    "old": field_display(c.field, c.old),
                    "new": field_display(c.field, c.new),
                }
                for c in delta.changes
            ]
        entries.append({"record": newer, "changes": changes})
    return entries[:limit]
