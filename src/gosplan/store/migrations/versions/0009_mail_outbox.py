"""Mail outbox, users' mail addresses and choices, late-entry permissions and the late mark of reports.

Revision ID: 0009_mail_outbox
Revises: 0008_unit_groups
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_mail_outbox"
down_revision = "0008_unit_groups"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(NAME), nullable=False, unique=True),
        sa.Column("kind", sa.String(CODE), nullable=False),
        sa.Column("user_name", sa.String(CODE)),
        sa.Column("recipient", sa.String(NAME), nullable=False),
        sa.Column("subject", sa.String(NAME), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("claimed_by", sa.String(CODE)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("digest_id", sa.Integer),
    )
    op.create_index("ix_mail_outbox_status", "mail_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "mail_settings",
        sa.Column("user_name", sa.String(CODE), primary_key=True),
        sa.Column("email", sa.String(NAME), nullable=False),
        sa.Column("kinds", sa.String(NAME), nullable=False),
        sa.Column("digest", sa.Boolean, nullable=False),
    )
    op.create_table(
        "late_permissions",
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("granted_by", sa.String(NAME), nullable=False),
        sa.Column("granted_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("unit", "period", name="pk_late_permissions"),
    )
    op.create_table(
        "late_reports",
        sa.Column("indicator", sa.String(CODE), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("entered_by", sa.String(NAME), nullable=False),
        sa.Column("permitted_by", sa.String(NAME), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("indicator", "unit", "period", "revision", name="pk_late_reports"),
    )
    op.create_index("ix_late_reports_period", "late_reports", ["period"])


def downgrade() -> None:
    op.drop_index("ix_late_reports_period", table_name="late_reports")
    op.drop_table("late_reports")
    op.drop_table("late_permissions")
    op.drop_table("mail_settings")
    op.drop_index("ix_mail_outbox_status", table_name="mail_outbox")
    op.drop_table("mail_outbox")
