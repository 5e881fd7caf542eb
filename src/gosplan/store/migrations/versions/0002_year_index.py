"""Year-to-date index: current reports by (year, indicator, unit, month), covering the value.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_reports_current_month", table_name="reports")
    op.create_index(
        "ix_reports_current_year",
        "reports",
        [sa.text("(month / 12)"), "indicator_id", "unit_id", "month", "value"],
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_index(
        "ix_reports_current_month",
        "reports",
        ["month"],
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )


def downgrade() -> None:
    op.drop_index("ix_reports_current_month", table_name="reports")
    op.drop_index("ix_reports_current_year", table_name="reports")
    op.create_index(
        "ix_reports_current_month",
        "reports",
        ["month", "indicator_id", "unit_id", "value"],
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
