"""Alerts raised by forecasts and exception detection, with their acknowledgement and escalation.

Revision ID: 0003_alerts
Revises: 0002_projects
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_alerts"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("raised", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("acknowledged_by", sa.String(NAME)),
        sa.Column("acknowledged_at", sa.DateTime),
        sa.Column("resolved_by", sa.String(NAME)),
        sa.Column("resolved_at", sa.DateTime),
        sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("escalated_to", sa.String(CODE)),
        sa.UniqueConstraint("indicator", "unit", "kind", "period", name="uq_alerts_series_kind_period"),
    )
    op.create_index("ix_alerts_status", "alerts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_alerts_status", table_name="alerts")
    op.drop_table("alerts")
