"""Texts the store keeps in Korean beside English: an indicator's definition, method, source and
responsible body, the names of unit groups (ministries, technologies) and of projects, and the
descriptions of weather events and movements, and alerts' messages.

Revision ID: 0011_texts_ko
Revises: 0010_merge
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_texts_ko"
down_revision = "0010_merge"
branch_labels = None
depends_on = None

INDICATOR_TEXTS = ("definition_ko", "method_ko", "source_ko", "responsible_ko")


def upgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        for column in INDICATOR_TEXTS:
            batch.add_column(sa.Column(column, sa.Text, nullable=True))
    with op.batch_alter_table("unit_groups") as batch:
        batch.add_column(sa.Column("group_name_ko", sa.String(400), nullable=True))
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("name_ko", sa.String(400), nullable=True))
    for table in ("weather_events", "campaigns"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("description_ko", sa.Text, nullable=True))
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("message_ko", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("message_ko")
    for table in ("weather_events", "campaigns"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("description_ko")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("name_ko")
    with op.batch_alter_table("unit_groups") as batch:
        batch.drop_column("group_name_ko")
    with op.batch_alter_table("indicators") as batch:
        for column in INDICATOR_TEXTS:
            batch.drop_column(column)
