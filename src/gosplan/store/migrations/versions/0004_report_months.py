"""Report months: current report values pivoted to month columns, and the pairs pending a refresh.

Revision ID: 0004_report_months
Revises: 0003_balance
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_report_months"
down_revision = "0003_balance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_months",
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("indicator_id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer, nullable=False),
        *[sa.Column(f"m{m}", sa.Float) for m in range(1, 13)],
        sa.PrimaryKeyConstraint("year", "indicator_id", "unit_id", name="pk_report_months"),
    )
    op.create_table(
        "report_months_pending",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("indicator_id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer),
    )
    # Reports already stored are copied by the first read after the upgrade.
    op.execute(
        "INSERT INTO report_months_pending (month, indicator_id) "
        "SELECT DISTINCT month, indicator_id FROM reports WHERE is_current"
    )


def downgrade() -> None:
    op.drop_table("report_months_pending")
    op.drop_table("report_months")
