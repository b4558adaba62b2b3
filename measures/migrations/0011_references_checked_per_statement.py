"""On PostgreSQL, the figures' references are checked once per statement instead of once per row.

An import of 720,000 figures inserts 720,000 rows into the values table. With foreign keys, PostgreSQL
checks each row's measure, area and period at commit, one query per reference per row: 2.2 million
checks, about 10 seconds, half of the import (issue 13's bench). The same guarantee is kept here with
set-based checks, on PostgreSQL only (SQLite checks its foreign keys cheaply, in the row, and keeps them):

- ``csp_references_exist``: after each INSERT or UPDATE statement on the values table or on
  ``ImportChange``, the distinct measures, areas, periods and batches the statement wrote are locked
  ``FOR KEY SHARE`` (as a foreign key's check locks them, so none can be deleted before this commits)
  and counted: a reference to a row that is not there fails the statement with PostgreSQL's
  ``foreign_key_violation``, as a foreign key would.
- ``csp_references_kept``: after a measure, area, period or import batch is deleted (or its id
  changed), a row that still refers to it fails the statement the same way. It runs after the delete,
  so a delete that waited for an import to commit sees that import's rows.

Django still deletes what refers to a deleted row first (``on_delete``), so deleting through the app
works as before; deleting by hand, with rows still referring, is refused as before.
"""

from django.db import migrations

# table: the (column, referenced table) pairs its statements are checked for.
REFERRING = {
    "measures_measurevalue": [
        ("measure_id", "measures_measure"),
        ("area_id", "partnerships_area"),
        ("period_id", "measures_period"),
        ("batch_id", "measures_importbatch"),
    ],
    "measures_importchange": [
        ("batch_id", "measures_importbatch"),
        ("measure_id", "measures_measure"),
        ("area_id", "partnerships_area"),
        ("period_id", "measures_period"),
        ("previous_batch_id", "measures_importbatch"),
    ],
}

EXIST = """
CREATE OR REPLACE FUNCTION csp_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i integer := 0;
    ids bigint[];
    found bigint;
BEGIN
    -- TG_ARGV: column, referenced table, column, referenced table, ...
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM written WHERE %I IS NOT NULL', TG_ARGV[i], TG_ARGV[i])
            INTO ids;
        IF ids IS NOT NULL THEN
            EXECUTE format(
                'SELECT count(*) FROM (SELECT id FROM %I WHERE id = ANY($1) FOR KEY SHARE) locked', TG_ARGV[i + 1]
            ) USING ids INTO found;
            IF found <> cardinality(ids) THEN
                RAISE EXCEPTION 'insert or update on table "%" violates a reference: % names a row not in "%"',
                    TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[i + 1]
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END $$;
"""

KEPT = """
CREATE OR REPLACE FUNCTION csp_references_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i integer := 0;
    referred boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    -- TG_ARGV: referring table, column, referring table, column, ...
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[i], TG_ARGV[i + 1])
            USING OLD.id INTO referred;
        IF referred THEN
            RAISE EXCEPTION 'update or delete on table "%" violates a reference from "%" (%)',
                TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[i + 1]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END $$;
"""


def _referred() -> dict:
    """referenced table: the (referring table, column) pairs that point at it."""
    referred = {}
    for table, pairs in REFERRING.items():
        for column, target in pairs:
            referred.setdefault(target, []).append((table, column))
    return referred


def _args(pairs) -> str:
    return ", ".join(f"'{a}', '{b}'" for a, b in pairs)


def per_statement(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    q = schema_editor.quote_name
    with connection.cursor() as cursor:
        for table, pairs in REFERRING.items():
            columns = {column for column, _ in pairs}
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                if info["foreign_key"] and info["columns"][0] in columns:
                    schema_editor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
    schema_editor.execute(EXIST, None)  # None: the % in it are not placeholders
    schema_editor.execute(KEPT, None)
    for table, pairs in REFERRING.items():
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {q(f'{table}_refs_{event.lower()}')} AFTER {event} ON {q(table)} "
                f"REFERENCING NEW TABLE AS written FOR EACH STATEMENT "
                f"EXECUTE FUNCTION csp_references_exist({_args(pairs)})"
            )
    for target, pairs in _referred().items():
        schema_editor.execute(
            f"CREATE TRIGGER {q(f'{target}_refs_kept')} AFTER DELETE OR UPDATE OF id ON {q(target)} "
            f"FOR EACH ROW EXECUTE FUNCTION csp_references_kept({_args(pairs)})"
        )


def per_row(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    q = schema_editor.quote_name
    for target in _referred():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {q(f'{target}_refs_kept')} ON {q(target)}")
    for table, pairs in REFERRING.items():
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {q(f'{table}_refs_{event}')} ON {q(table)}")
        for column, target in pairs:
            if (table, column) == ("measures_measurevalue", "batch_id"):
                continue  # not a foreign key since migration 0010
            schema_editor.execute(
                f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(f'{table}_{column}_fk')} FOREIGN KEY ({q(column)}) "
                f"REFERENCES {q(target)} (id) DEFERRABLE INITIALLY DEFERRED"
            )
    schema_editor.execute("DROP FUNCTION IF EXISTS csp_references_exist()")
    schema_editor.execute("DROP FUNCTION IF EXISTS csp_references_kept()")


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0010_lighter_values_table"),
        ("partnerships", "0007_auditevent_model_latest"),
    ]

    operations = [migrations.RunPython(per_statement, per_row)]
