"""Join the three branches that grew from 0005: plan making, server-side sessions, reporting workflow.

Revision ID: 0007_merge
Revises: 0006_plans, 0006_sessions, 0006_workflow
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0007_merge"
down_revision = ("0006_plans", "0006_sessions", "0006_workflow")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the three parents touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
