"""Accounts and API tokens scoped to a group of a grouping (e.g. the ministry of coal industry) beside
the unit subtree: ``scope_grouping`` names the grouping ("ministry"), ``scope_group`` its group ("coal").

Revision ID: 0011_ministry_scope
Revises: 0010_merge
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_ministry_scope"
down_revision = "0010_merge"
branch_labels = None
depends_on = None

CODE = 64
TABLES = ("users", "api_tokens")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("scope_grouping", sa.String(CODE), nullable=True))
            batch.add_column(sa.Column("scope_group", sa.String(CODE), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("scope_group")
            batch.drop_column("scope_grouping")
