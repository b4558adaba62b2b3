"""The embedded SQLite demo under concurrent writers: WAL, a busy timeout and IMMEDIATE transactions, so
two people saving at once queue for the write lock instead of failing with "database is locked".

The test suite's own database is in memory; this test opens a file database with the demo's settings
(config/settings.py), two connections in two threads, and runs the read-then-write transactions a save
makes. With SQLite's default (DEFERRED) transactions both read, then one fails upgrading to write."""

import copy
import threading

import pytest
from django.conf import settings
from django.db import connections, transaction

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="the SQLite demo's settings"
)
ROUNDS = 40


def test_the_demo_database_settings():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """A second alias on a file database with the demo's settings; each thread gets its own connection."""
    alias = "concurrency"
    connections.settings[alias] = {
        **copy.deepcopy(settings.DATABASES["default"]),
        "NAME": str(tmp_path / "demo.sqlite3"),
    }
    connections.configure_settings(connections.settings)
    unblocked = django_db_blocker.unblock()  # not the test database: a file of its own
    unblocked.__enter__()
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        cursor.execute("INSERT INTO counter VALUES (1, 0)")
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    connections[alias].close()
    yield alias
    connections[alias].close()
    unblocked.__exit__(None, None, None)
    del connections.settings[alias]


def test_two_writers_at_once_queue_rather_than_fail(file_database):
    errors = []
    start = threading.Barrier(2)

    def save():
        try:
            start.wait()
            for _ in range(ROUNDS):
                with transaction.atomic(using=file_database):
                    with connections[file_database].cursor() as cursor:
                        cursor.execute("SELECT value FROM counter WHERE id = 1")  # read (the version check)
                        value = cursor.fetchone()[0]
                        cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])  # write
        except Exception as error:  # noqa: BLE001 - any failure is the test's finding
            errors.append(error)
        finally:
            connections[file_database].close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connections[file_database].cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        assert cursor.fetchone()[0] == 2 * ROUNDS  # nothing lost either
