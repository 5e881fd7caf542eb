"""Reporting workflow: indicator sets and their assignments to units, validation rules, min-max bounds,
the violations found, and the approval state of units' months.

Revision ID: 0006_workflow
Revises: 0005_targets_period
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_workflow"
down_revision = "0005_targets_period"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "indicator_sets",
        sa.Column("code", sa.String(CODE), primary_key=True),
        sa.Column("name", sa.String(NAME), nullable=False),
    )
    op.create_table(
        "indicator_set_members",
        sa.Column("set_code", sa.String(CODE), sa.ForeignKey("indicator_sets.code"), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.PrimaryKeyConstraint("set_code", "indicator", name="pk_indicator_set_members"),
    )
    op.create_table(
        "indicator_set_units",
        sa.Column("set_code", sa.String(CODE), sa.ForeignKey("indicator_sets.code"), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("first_month", sa.Integer),
        sa.Column("last_month", sa.Integer),
        sa.PrimaryKeyConstraint("set_code", "unit", name="pk_indicator_set_units"),
    )
    op.create_table(
        "validation_rules",
        sa.Column("code", sa.String(CODE), primary_key=True),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("left", sa.Text, nullable=False),
        sa.Column("operator", sa.String(4), nullable=False),
        sa.Column("right", sa.Text, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "minmax_bounds",
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("low", sa.Float, nullable=False),
        sa.Column("high", sa.Float, nullable=False),
        sa.Column("generated", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("unit", "indicator", name="pk_minmax_bounds"),
    )
    op.create_table(
        "rule_violations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String(NAME), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("left_value", sa.Float),
        sa.Column("right_value", sa.Float),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("found_at", sa.DateTime, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("changed_by", sa.String(NAME)),
        sa.Column("changed_at", sa.DateTime),
        sa.UniqueConstraint("rule", "unit", "period", name="uq_rule_violations_key"),
    )
    op.create_index("ix_rule_violations_period", "rule_violations", ["period", "status"])
    op.create_table(
        "approvals",
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("changed_by", sa.String(NAME), nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("unit", "period", name="pk_approvals"),
    )
    op.create_index("ix_approvals_period", "approvals", ["period"])


def downgrade() -> None:
    op.drop_index("ix_approvals_period", table_name="approvals")
    op.drop_table("approvals")
    op.drop_index("ix_rule_violations_period", table_name="rule_violations")
    for name in ("rule_violations", "minmax_bounds", "validation_rules", "indicator_set_units",
                 "indicator_set_members", "indicator_sets"):
        op.drop_table(name)
