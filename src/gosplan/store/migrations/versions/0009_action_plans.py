"""Versions of the action plan: proposed by a planner, adopted by a named body on a date, amended by a
new version with a reason.

Revision ID: 0009_action_plans
Revises: 0008_unit_groups
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_action_plans"
down_revision = "0008_unit_groups"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "action_plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(CODE), nullable=False),
        sa.Column("proposed_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("adopted_by_body", sa.String(NAME)),
        sa.Column("adopted_on", sa.Date),
        sa.Column("recorded_by", sa.String(CODE)),
        sa.Column("recorded_at", sa.DateTime),
        sa.Column("document", sa.Text, nullable=False),
        sa.UniqueConstraint("period", "version", name="uq_action_plans_version"),
    )


def downgrade() -> None:
    op.drop_table("action_plans")
