"""Initial schema: reference data, targets with history, report revisions, actions, meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(CODE), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "sectors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(CODE), nullable=False, unique=True),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("parent", sa.String(CODE)),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(CODE), nullable=False, unique=True),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("kind", sa.String(CODE), nullable=False),
        sa.Column("parent", sa.String(CODE)),
        sa.Column("sector", sa.String(CODE)),
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(CODE), nullable=False, unique=True),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("aggregation", sa.String(16), nullable=False),
        sa.Column("time_aggregation", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("sector", sa.String(CODE)),
        sa.Column("key", sa.Boolean, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(CODE), nullable=False, unique=True),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("kind", sa.String(CODE), nullable=False),
        sa.Column("start_year", sa.Integer, nullable=False),
        sa.Column("end_year", sa.Integer, nullable=False),
        sa.Column("parent", sa.String(CODE)),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(NAME), nullable=False),
        sa.Column("recorded_by", sa.String(NAME), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "targets",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("indicator_id", sa.Integer, sa.ForeignKey("indicators.id"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "indicator_id", "unit_id", "period", name="pk_targets"),
    )
    op.create_table(
        "target_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("indicator_id", sa.Integer, sa.ForeignKey("indicators.id"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("previous_value", sa.Float),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
    )
    op.create_index(
        "ix_target_history_key", "target_history", ["plan_id", "indicator_id", "unit_id", "period"]
    )
    op.create_table(
        "reports",
        sa.Column("indicator_id", sa.Integer, sa.ForeignKey("indicators.id"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("recorded_at", sa.DateTime),
        sa.PrimaryKeyConstraint("indicator_id", "unit_id", "month", "revision", name="pk_reports"),
    )
    op.create_index(
        "ix_reports_current_month",
        "reports",
        ["month", "indicator_id", "unit_id", "value"],
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(NAME), nullable=False),
        sa.Column("owner_unit", sa.String(CODE), nullable=False),
        sa.Column("plan", sa.String(CODE)),
        sa.Column("indicator", sa.String(CODE)),
        sa.Column("unit", sa.String(CODE)),
        sa.Column("period", sa.String(8)),
        sa.Column("due", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("check", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("details", sa.Text),
    )
    op.create_index("ix_actions_status", "actions", ["status"])


def downgrade() -> None:
    op.drop_index("ix_actions_status", table_name="actions")
    op.drop_table("actions")
    op.drop_index("ix_reports_current_month", table_name="reports")
    for table in (
        "reports",
        "target_history",
        "targets",
        "batches",
        "plans",
        "indicators",
        "units",
        "sectors",
        "meta",
    ):
        op.drop_table(table)
