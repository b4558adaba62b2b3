"""Changes to action plans that need more than one model's save, or that must not be lost."""

from django.db import models, transaction
from django.db.models import F

from strategies.models import Deliverable


class EditConflict(Exception):
    """Someone else saved the same thing since this user started editing it."""

    def __init__(self, current, changes: list[tuple[str, str, str]]):
        super().__init__("Edited by someone else in the meantime.")
        self.current = current
        self.changes = changes


def save_versioned(obj: models.Model, *, expected_version: int | None, user):
    """Save ``obj`` unless someone else saved it after ``expected_version`` (optimistic locking).

    The check and the write are one UPDATE ... WHERE version = expected, so two simultaneous
    saves cannot both win. The model needs a ``version`` field and simple-history records.
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk is None:
            obj._history_user = user
            obj.full_clean()
            obj.save()
            return obj
        skip = {"id", "version"} | {
            f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
        }
        values = {
            f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.attname not in skip
        }
        updated = model.objects.filter(pk=obj.pk, version=expected_version).update(
            version=F("version") + 1, **values
        )
        current = model.objects.get(pk=obj.pk)
        if not updated:
            raise EditConflict(current, changes_since(current, expected_version))
        # update() bypasses save(): save once more so auto_now fields and the history record follow.
        current._history_user = user
        current.save()
        return current


def deliverable_save(*, deliverable: Deliverable, expected_version: int | None, user) -> Deliverable:
    return save_versioned(deliverable, expected_version=expected_version, user=user)


def changes_since(current, version: int | None) -> list[tuple[str, str, str]]:
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
    meta = type(current)._meta
    return [
        (
            meta.get_field(change.field).verbose_name,
            who,
            field_display(type(current), change.field, change.new),
        )
        for change in delta.changes
    ]


def field_display(model, field: str, value, related: dict | None = None) -> str:
    """A stored value as people read it: choice labels, names rather than ids, dashes for blanks.
    ``related`` ({model: {pk: object}}, from ``related_objects``) saves a query per related value."""
    model_field = model._meta.get_field(field)
    if value in (None, ""):
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        pk = getattr(value, "pk", value)
        if related is not None and model_field.related_model in related:
            obj = related[model_field.related_model].get(pk)
        else:
            obj = model_field.related_model.objects.filter(pk=pk).first()
        return str(obj) if obj else "(deleted)"
    return str(value)


def related_objects(model, wanted: list[tuple[str, object]]) -> dict:
    """{related model: {pk: object}} for the (field, value) pairs a history shows: one query per related
    model, however many records and changes there are."""
    pks = {}
    for name, value in wanted:
        field = model._meta.get_field(name)
        if field.is_relation and value not in (None, ""):
            pks.setdefault(field.related_model, set()).add(getattr(value, "pk", value))
    return {related: related.objects.in_bulk(list(ids)) for related, ids in pks.items()}


def history_entries(model, history, limit, *, show_created: tuple[str, ...] = ()):
    """Newest first: each history record with its field changes (old -> new); a record that created its
    object lists the ``show_created`` fields it was created with. A fixed number of queries, however
    many records and changes (related values are looked up together)."""
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 2]
    )
    previous_of = {}
    by_object = {}
    for record in reversed(records):  # oldest first, per object
        previous_of[record.history_id] = by_object.get(record.id)
        by_object[record.id] = record
    deltas = {}
    wanted = []
    for record in records[:limit]:
        older = previous_of.get(record.history_id)
        if older is None and show_created:
            wanted += [(name, getattr(record, name)) for name in show_created]
        elif older is not None:
            delta = record.diff_against(older, excluded_fields=["version", "updated_by"])
            deltas[record.history_id] = delta
            wanted += [(c.field, c.old) for c in delta.changes] + [(c.field, c.new) for c in delta.changes]
    related = related_objects(model, wanted)
    entries = []
    for record in records[:limit]:
        older = previous_of.get(record.history_id)
        changes = None
        if older is None and show_created:  # a new object: show what it said
            changes = [
                {
                    "field": model._meta.get_field(name).verbose_name,
                    "old": "–",
                    "new": field_display(model, name, value, related),
                }
                for name in show_created
                if (value := getattr(record, name)) not in (None, "")
            ]
        elif older is not None:
            changes = [
                {
                    "field": model._meta.get_field(c.field).verbose_name,
                    "old": field_display(model, c.field, c.old, related),
                    "new": field_display(model, c.field, c.new, related),
                }
                for c in deltas[record.history_id].changes
            ]
        entries.append({"record": record, "changes": changes, "kind": model._meta.verbose_name})
    return entries
