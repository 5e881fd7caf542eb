"""Plan making: input norms, physical capacities, balance items, plan versions, counter-plans.

Revision ID: 0006_plans
Revises: 0005_targets_period
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_plans"
down_revision = "0005_targets_period"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "plan_norms",
        sa.Column("good", sa.String(CODE), nullable=False),
        sa.Column("consumer", sa.String(CODE), nullable=False),
        sa.Column("norm", sa.Float, nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("note", sa.String(NAME)),
        sa.Column("recorded_by", sa.String(NAME), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("good", "consumer", name="pk_plan_norms"),
    )
    op.create_table(
        "physical_capacities",
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("capacity", sa.Float, nullable=False),
        sa.Column("source", sa.String(NAME), nullable=False),
        sa.Column("recorded_by", sa.String(NAME), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("stale_since", sa.DateTime),
        sa.PrimaryKeyConstraint("unit", "indicator", "as_of", name="pk_physical_capacities"),
    )
    op.create_table(
        "balance_items",
        sa.Column("good", sa.String(CODE), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("source", sa.String(NAME), nullable=False),
        sa.PrimaryKeyConstraint("good", "year", "item", name="pk_balance_items"),
    )
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(CODE), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parent", sa.String(CODE)),
        sa.Column("five_year_plan", sa.String(CODE)),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("created_by", sa.String(NAME), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("adopted_by", sa.String(NAME)),
        sa.Column("adopted_at", sa.DateTime),
        sa.Column("accepted_deficits", sa.Text),
        sa.Column("plan", sa.String(CODE)),
    )
    op.create_table(
        "plan_version_targets",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("plan_versions.id"), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("version_id", "unit", "indicator", name="pk_plan_version_targets"),
    )
    op.create_table(
        "plan_control_figures",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("plan_versions.id"), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("control_figure", sa.Float, nullable=False),
        sa.Column("five_year_plan", sa.Float),
        sa.Column("expected_last_year", sa.Float),
        sa.Column("trend_growth", sa.Float),
        sa.Column("from_results", sa.Float),
        sa.Column("source", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_id", "indicator", name="pk_plan_control_figures"),
    )
    op.create_table(
        "counter_plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("plan_versions.id"), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("submitted_by", sa.String(NAME), nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(NAME), nullable=False),
    )
    op.create_index("ix_counter_plans_key", "counter_plans", ["version_id", "unit", "indicator", "period"])


def downgrade() -> None:
    op.drop_index("ix_counter_plans_key", table_name="counter_plans")
    for table in ("counter_plans", "plan_control_figures", "plan_version_targets", "plan_versions",
                  "balance_items", "physical_capacities", "plan_norms"):
        op.drop_table(table)
