"""Names in Korean beside the English ones (sectors, units, indicators, plans) and each user's language.

Revision ID: 0009_i18n
Revises: 0008_unit_groups
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_i18n"
down_revision = "0008_unit_groups"
branch_labels = None
depends_on = None

NAME = 400
NAMED = ("sectors", "units", "indicators", "plans")


def upgrade() -> None:
    for table in NAMED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_ko", sa.String(NAME), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
    for table in NAMED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_ko")
