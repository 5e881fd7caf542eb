"""Movements (campaigns) and the units that joined them.

Revision ID: 0003_campaigns
Revises: 0002_projects
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_campaigns"
down_revision = "0003_alerts"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(CODE), nullable=False, unique=True),
        sa.Column("origin_unit", sa.String(CODE), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.create_table(
        "campaign_members",
        sa.Column("campaign", sa.String(CODE), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("joined", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("campaign", "unit", name="pk_campaign_members"),
    )


def downgrade() -> None:
    for table in ("campaign_members", "campaigns"):
        op.drop_table(table)
