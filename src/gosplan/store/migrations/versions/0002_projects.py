"""Construction projects (schedules, milestones, progress revisions), farms and weather events.

Revision ID: 0002_projects
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_projects"
down_revision = "0002"
branch_labels = None
depends_on = None

CODE = 64
NAME = 400


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(CODE), nullable=False, unique=True),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("unit", sa.String(CODE), nullable=False),
        sa.Column("budget", sa.Float, nullable=False),
        sa.Column("start", sa.String(8), nullable=False),
        sa.Column("planned_end", sa.String(8), nullable=False),
        sa.Column("dwellings", sa.Float, nullable=False),
    )
    op.create_table(
        "project_milestones",
        sa.Column("project", sa.String(CODE), nullable=False),
        sa.Column("milestone", sa.String(NAME), nullable=False),
        sa.Column("planned_date", sa.String(10), nullable=False),
        sa.Column("planned_value", sa.Float, nullable=False),
        sa.Column("dwellings", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("project", "milestone", name="pk_project_milestones"),
    )
    op.create_table(
        "project_progress",
        sa.Column("project", sa.String(CODE), nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("percent_complete", sa.Float, nullable=False),
        sa.Column("actual_cost", sa.Float, nullable=False),
        sa.Column("dwellings_completed", sa.Float, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.PrimaryKeyConstraint("project", "month", "revision", name="pk_project_progress"),
    )
    op.create_table(
        "farms",
        sa.Column("unit", sa.String(CODE), primary_key=True),
        sa.Column("crop_area_ha", sa.Float, nullable=False),
        sa.Column("irrigated_ha", sa.Float, nullable=False),
    )
    op.create_table(
        "weather_events",
        sa.Column("province", sa.String(CODE), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("severity", sa.Float, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("province", "period", "kind", name="pk_weather_events"),
    )


def downgrade() -> None:
    for table in ("weather_events", "farms", "project_progress", "project_milestones", "projects"):
        op.drop_table(table)
