"""A plan version's targets checked against their version once per statement, not once per row.

A national draft is every producing unit x every indicator (500,000 targets for 10,000 enterprises and
50 indicators). PostgreSQL checks a foreign key with one look-up per inserted row, which took about
7 of the 10 s of writing such a draft. The foreign key of ``plan_version_targets.version_id`` is replaced
by a trigger that makes the same check: on PostgreSQL once per statement over the statement's new rows
(a transition table), on SQLite (whose foreign-key checks are cheap, but whose schema must match) per row.
Either way a target of a version that does not exist is refused, and so is deleting a version that has
targets.

Revision ID: 0009_plan_rest
Revises: 0008_unit_groups
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_plan_rest"
down_revision = "0008_unit_groups"
branch_labels = None
depends_on = None

CODE = 64
MESSAGE = "plan_version_targets: a target of a plan version that does not exist"
IN_USE = "plan_versions: a version with targets cannot be deleted"

POSTGRES_UP = [
    "ALTER TABLE plan_version_targets DROP CONSTRAINT IF EXISTS plan_version_targets_version_id_fkey",
    f"""CREATE OR REPLACE FUNCTION plan_version_targets_known_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT version_id FROM new_rows) n
             WHERE NOT EXISTS (SELECT 1 FROM plan_versions v WHERE v.id = n.version_id)) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER plan_version_targets_known_version_insert AFTER INSERT ON plan_version_targets "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION plan_version_targets_known_version()",
    "CREATE TRIGGER plan_version_targets_known_version_update AFTER UPDATE ON plan_version_targets "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION plan_version_targets_known_version()",
    f"""CREATE OR REPLACE FUNCTION plan_versions_without_targets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows o JOIN plan_version_targets t ON t.version_id = o.id) THEN
    RAISE EXCEPTION '{IN_USE}' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER plan_versions_without_targets AFTER DELETE ON plan_versions "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION plan_versions_without_targets()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS plan_versions_without_targets ON plan_versions",
    "DROP FUNCTION IF EXISTS plan_versions_without_targets()",
    "DROP TRIGGER IF EXISTS plan_version_targets_known_version_insert ON plan_version_targets",
    "DROP TRIGGER IF EXISTS plan_version_targets_known_version_update ON plan_version_targets",
    "DROP FUNCTION IF EXISTS plan_version_targets_known_version()",
    "ALTER TABLE plan_version_targets ADD CONSTRAINT plan_version_targets_version_id_fkey "
    "FOREIGN KEY (version_id) REFERENCES plan_versions (id)",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER plan_version_targets_known_version_insert BEFORE INSERT ON plan_version_targets
WHEN NOT EXISTS (SELECT 1 FROM plan_versions WHERE id = NEW.version_id)
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER plan_version_targets_known_version_update BEFORE UPDATE ON plan_version_targets
WHEN NOT EXISTS (SELECT 1 FROM plan_versions WHERE id = NEW.version_id)
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER plan_versions_without_targets BEFORE DELETE ON plan_versions
WHEN EXISTS (SELECT 1 FROM plan_version_targets WHERE version_id = OLD.id)
BEGIN SELECT RAISE(ABORT, '{IN_USE}'); END""",
]


def _rebuild_sqlite(with_foreign_key: bool) -> None:
    """SQLite cannot drop or add a foreign key: copy the table into one made the new way."""
    version = sa.Column("version_id", sa.Integer, sa.ForeignKey("plan_versions.id"), nullable=False) \
        if with_foreign_key else sa.Column("version_id", sa.Integer, nullable=False)
    op.create_table(
        "plan_version_targets_new",
        version,
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("version_id", "unit", "indicator", name="pk_plan_version_targets"),
    )
    op.execute("INSERT INTO plan_version_targets_new (version_id, unit, indicator, value) "
               "SELECT version_id, unit, indicator, value FROM plan_version_targets")
    op.drop_table("plan_version_targets")
    op.rename_table("plan_version_targets_new", "plan_version_targets")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)
        return
    _rebuild_sqlite(with_foreign_key=False)
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
        return
    op.execute("DROP TRIGGER IF EXISTS plan_versions_without_targets")
    _rebuild_sqlite(with_foreign_key=True)   # the table's own triggers go with the old table
