"""Targets: a covering index by period, for reading a year's targets period by period.

Revision ID: 0005_targets_period
Revises: 0004_report_months
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0005_targets_period"
down_revision = "0004_report_months"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_targets_period", "targets", ["period", "plan_id", "indicator_id", "unit_id", "value"])


def downgrade() -> None:
    op.drop_index("ix_targets_period", table_name="targets")
