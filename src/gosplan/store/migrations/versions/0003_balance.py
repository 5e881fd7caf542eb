"""Balance: named input-output tables (long format) and sector capacities by year.

Revision ID: 0003_balance
Revises: 0002_accounts
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_balance"
down_revision = "0003_campaigns"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "io_tables",
        sa.Column("name", sa.String(CODE), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source", sa.String(NAME), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "io_cells",
        sa.Column("table_name", sa.String(CODE), sa.ForeignKey("io_tables.name"), nullable=False),
        sa.Column("part", sa.String(16), nullable=False),
        sa.Column("row", sa.String(CODE), nullable=False),
        sa.Column("col", sa.String(CODE), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("table_name", "part", "row", "col", name="pk_io_cells"),
    )
    op.create_table(
        "capacities",
        sa.Column("sector", sa.String(CODE), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("capacity", sa.Float, nullable=False),
        sa.Column("labour", sa.Float),
        sa.PrimaryKeyConstraint("sector", "year", name="pk_capacities"),
    )


def downgrade() -> None:
    op.drop_table("capacities")
    op.drop_table("io_cells")
    op.drop_table("io_tables")
