"""Groupings beside the territorial hierarchy: a unit's ministry, technology or other group.

Revision ID: 0008_unit_groups
Revises: 0007_merge
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_unit_groups"
down_revision = "0007_merge"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "unit_groups",
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("grouping", sa.String(CODE), nullable=False),
        sa.Column("group_code", sa.String(CODE), nullable=False),
        sa.Column("group_name", sa.String(NAME), nullable=False),
        sa.PrimaryKeyConstraint("unit", "grouping", name="pk_unit_groups"),
    )
    op.create_index("ix_unit_groups_grouping", "unit_groups", ["grouping", "group_code"])


def downgrade() -> None:
    op.drop_index("ix_unit_groups_grouping", table_name="unit_groups")
    op.drop_table("unit_groups")
