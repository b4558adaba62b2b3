"""Backup and restore, as the README describes for SQLite (and as a portable fallback anywhere):
`dumpdata` of the whole database, then `loaddata` into an empty one, gives the same records."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


def counts():
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in ("contenttypes", "sessions", "admin")
        and m._meta.label != "auth.Permission"
    }


@pytest.mark.django_db(transaction=True)
def test_dumpdata_and_loaddata_round_trip(tmp_path, settings):
    call_command("load_demo", verbosity=0)
    before = counts()
    dump = tmp_path / "backup.json"
    call_command(
        "dumpdata", "--natural-foreign", *[f"--exclude={e}" for e in EXCLUDE], output=str(dump), verbosity=0
    )
    assert json.loads(dump.read_text())  # a real file with records in it
    call_command("flush", interactive=False, verbosity=0)
    assert counts()["measures.MeasureValue"] == 0
    settings.SIMPLE_HISTORY_ENABLED = False  # as the README's restore does: the backup holds the history
    call_command("loaddata", str(dump), verbosity=0)
    assert counts() == before
