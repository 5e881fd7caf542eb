"""Server-side sessions, failed sign-ins shared by every server process, and the request fingerprint
of idempotency keys.

Revision ID: 0006_sessions
Revises: 0005_targets_period
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_sessions"
down_revision = "0005_targets_period"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(CODE), primary_key=True),
        sa.Column("user_name", sa.String(CODE), nullable=False),
        sa.Column("csrf", sa.String(CODE), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_index("ix_sessions_user_name", "sessions", ["user_name"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(NAME), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("request_hash", sa.String(CODE)))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("request_hash")
    op.drop_index("ix_login_failures_key_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_sessions_user_name", table_name="sessions")
    op.drop_table("sessions")
