"""Project outcomes (kind, capacity added or norm improved, the movement spreading a technology) and the
per-sector measures of movements that cross sectors.

Revision ID: 0009_potentiality
Revises: 0008_unit_groups
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_potentiality"
down_revision = "0008_unit_groups"
branch_labels = None
depends_on = None

CODE = 64


def upgrade() -> None:
    op.create_table(
        "project_outcomes",
        sa.Column("project", sa.String(CODE), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("indicator", sa.String(CODE)),
        sa.Column("capacity", sa.Float),
        sa.Column("norm_good", sa.String(CODE)),
        sa.Column("norm_change", sa.Float),
        sa.Column("campaign", sa.String(CODE)),
    )
    op.create_table(
        "campaign_measures",
        sa.Column("campaign", sa.String(CODE), nullable=False),
        sa.Column("sector", sa.String(CODE), nullable=False),
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("per", sa.String(CODE), nullable=False),
        sa.PrimaryKeyConstraint("campaign", "sector", name="pk_campaign_measures"),
    )


def downgrade() -> None:
    op.drop_table("campaign_measures")
    op.drop_table("project_outcomes")
