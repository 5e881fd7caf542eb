"""Join the branches that grew from 0008: action plans, plan versions' targets checked per statement,
the mail outbox and late entry, project outcomes and movement measures,
first arrivals, approval chains and indicator metadata, names in Korean and users' languages.

Revision ID: 0010_merge
Revises: 0009_action_plans, 0009_plan_rest, 0009_mail_outbox, 0009_potentiality, 0009_workflow_data,
    0009_i18n
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0010_merge"
down_revision = ("0009_action_plans", "0009_plan_rest", "0009_mail_outbox", "0009_potentiality",
                 "0009_workflow_data", "0009_i18n")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the parents touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
