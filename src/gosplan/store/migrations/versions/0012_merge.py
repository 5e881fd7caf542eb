"""Join the branches that grew from 0010: texts in Korean beside English, accounts scoped to a group of
units (a ministry).

Revision ID: 0012_merge
Revises: 0011_texts_ko, 0011_ministry_scope
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0012_merge"
down_revision = ("0011_texts_ko", "0011_ministry_scope")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the parents touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
