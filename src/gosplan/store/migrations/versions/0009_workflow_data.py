"""Reporting workflow data: when each report first arrived (for completeness), approval chains per
indicator set (approvals recorded per set), and the metadata of indicators.

Revision ID: 0009_workflow_data
Revises: 0008_unit_groups
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_workflow_data"
down_revision = "0008_unit_groups"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400
MONTHS = [f"m{m}" for m in range(1, 13)]
METADATA_COLUMNS = ["definition", "method", "source", "responsible", "frequency"]


def upgrade() -> None:
    op.create_table(
        "report_arrivals",
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("indicator_id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        *[sa.Column(m, sa.DateTime) for m in MONTHS],
        sa.PrimaryKeyConstraint("year", "indicator_id", "unit_id", name="pk_report_arrivals"),
    )
    # The first revision of every report already stored, at its own time or else its batch's.
    arrived = "COALESCE(r.recorded_at, b.recorded_at)"
    pivot = ", ".join(f"MAX(CASE WHEN r.month - r.month / 12 * 12 = {m} THEN {arrived} END)" for m in range(12))
    op.execute(
        f"INSERT INTO report_arrivals (year, indicator_id, unit_id, {', '.join(MONTHS)}) "
        f"SELECT r.month / 12, r.indicator_id, r.unit_id, {pivot} FROM reports r JOIN batches b ON b.id = r.batch_id "
        "WHERE r.revision = 1 GROUP BY r.month / 12, r.indicator_id, r.unit_id"
    )
    op.create_table(
        "approval_chains",
        sa.Column("set_code", sa.String(CODE), sa.ForeignKey("indicator_sets.code"), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(CODE), nullable=False),
        sa.PrimaryKeyConstraint("set_code", "level", name="pk_approval_chains"),
    )
    with op.batch_alter_table("approvals", recreate="always") as batch:
        batch.add_column(sa.Column("set_code", sa.String(CODE), nullable=False, server_default=""))
        batch.drop_constraint("pk_approvals", type_="primary")
        batch.create_primary_key("pk_approvals", ["unit", "period", "set_code"])
    with op.batch_alter_table("indicators") as batch:
        for column in METADATA_COLUMNS:
            batch.add_column(sa.Column(column, sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        for column in METADATA_COLUMNS:
            batch.drop_column(column)
    op.execute("DELETE FROM approvals WHERE set_code <> ''")
    with op.batch_alter_table("approvals", recreate="always") as batch:
        batch.drop_constraint("pk_approvals", type_="primary")
        batch.drop_column("set_code")
        batch.create_primary_key("pk_approvals", ["unit", "period"])
    op.drop_table("approval_chains")
    op.drop_table("report_arrivals")
