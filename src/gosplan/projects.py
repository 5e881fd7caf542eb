"""Construction projects: earned-value tracking with earned schedule (public import path).

See :mod:`gosplan.engines.projects` for the definitions and input frames.
"""

from gosplan.engines.projects import (
    EARNED_VALUE_COLUMNS,
    HISTORY_COLUMNS,
    MILESTONE_COLUMNS,
    PROGRESS_COLUMNS,
    PROJECT_COLUMNS,
    PROJECT_STATUSES,
    EarnedValueSettings,
    dwellings_summary,
    earned_schedule,
    project_history,
    track_projects,
)

__all__ = [
    "EARNED_VALUE_COLUMNS",
    "HISTORY_COLUMNS",
    "MILESTONE_COLUMNS",
    "PROGRESS_COLUMNS",
    "PROJECT_COLUMNS",
    "PROJECT_STATUSES",
    "EarnedValueSettings",
    "dwellings_summary",
    "earned_schedule",
    "project_history",
    "track_projects",
]
