"""Project outcomes (kind, capacity added or norm improved) and the per-sector measures of movements.

Both are upserted by their key like projects and campaigns. A project outcome names a stored project;
a measure names a stored campaign, sector and indicators.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from gosplan.errors import Problem
from gosplan.i18n import _
from gosplan.store import schema
from gosplan.store._common import WriteSummary, raise_problems, require_columns, unknown_code
from gosplan.store._projects import _rows

PROJECT_KINDS: tuple[str, ...] = ("housing", "capacity", "modernisation", "research")
OUTCOME_COLUMNS = ["project", "kind", "indicator", "capacity", "norm_good", "norm_change", "campaign"]
MEASURE_COLUMNS = ["campaign", "sector", "indicator", "per"]


class OutcomeMixin:
    """Project outcomes and campaign measures (mixed into :class:`~gosplan.store.Store`).

    >>> import pandas as pd
    >>> from gosplan.store import Store
    >>> store = Store.open("sqlite://")
    >>> _ = store.write_projects(pd.DataFrame([("m1", "Mine shaft", "coal.kujang", 100.0, "2023-01",
    ...     "2023-12")], columns=["code", "name", "unit", "budget", "start", "planned_end"]))
    >>> _ = store.write_project_outcomes(pd.DataFrame([("m1", "capacity", "coal", 600_000.0)],
    ...     columns=["project", "kind", "indicator", "capacity"]))
    >>> store.project_outcomes()[["project", "kind", "capacity"]].values.tolist()
    [['m1', 'capacity', 600000.0]]
    """

    def _tx(self, conn: Connection | None):  # provided by Store
        raise NotImplementedError

    def write_project_outcomes(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update outcomes by project (columns: project, kind; optional indicator, capacity,
        norm_good, norm_change, campaign). The project must exist; kind is one of ``PROJECT_KINDS``."""
        require_columns(frame, ["project", "kind"], "project_outcomes")
        rows = _rows(frame, OUTCOME_COLUMNS)
        with self._tx(conn) as c:
            known = set(c.execute(select(schema.projects.c.code)).scalars())
            problems = []
            for i, row in enumerate(rows):
                if row["project"] not in known:
                    problems.append(Problem("project_outcomes", i + 2, "project",
                                            unknown_code("project", row["project"])))
                if row["kind"] not in PROJECT_KINDS:
                    problems.append(Problem("project_outcomes", i + 2, "kind",
                                            _("{value} is not one of {choices}", value=repr(row["kind"]),
                                              choices=", ".join(PROJECT_KINDS))))
                if (row["capacity"] is not None or row["norm_change"] is not None) and row["indicator"] is None:
                    problems.append(Problem(
                        "project_outcomes", i + 2, "indicator",
                        _("a capacity or a norm change needs the product (indicator) it applies to")))
                if (row["norm_change"] is None) != (row["norm_good"] is None):
                    problems.append(Problem("project_outcomes", i + 2, "norm_good",
                                            _("norm_good and norm_change go together")))
                for column in ("capacity", "norm_change"):
                    if row[column] is not None:
                        row[column] = float(row[column])
            raise_problems(problems[:1000])
            return self._upsert_keyed(schema.project_outcomes, rows, ["project"], c)  # type: ignore[attr-defined]

    def project_outcomes(self) -> pd.DataFrame:
        """Every project outcome (``OUTCOME_COLUMNS``), by project code."""
        return self._read_table(schema.project_outcomes, OUTCOME_COLUMNS, ["project"])  # type: ignore[attr-defined]

    def write_campaign_measures(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update how a campaign measures the units of a sector (campaign, sector, indicator,
        per; ``per`` defaults to ``workers``: output per worker)."""
        require_columns(frame, ["campaign", "sector", "indicator"], "campaign_measures")
        rows = _rows(frame, MEASURE_COLUMNS, {"per": "workers"})
        with self._tx(conn) as c:
            known = set(c.execute(select(schema.campaigns.c.name)).scalars())
            indicators = set(c.execute(select(schema.indicators.c.code)).scalars())
            problems = []
            for i, row in enumerate(rows):
                if row["campaign"] not in known:
                    problems.append(Problem("campaign_measures", i + 2, "campaign",
                                            unknown_code("campaign", row["campaign"])))
                for column in ("indicator", "per"):
                    if row[column] not in indicators:
                        problems.append(Problem("campaign_measures", i + 2, column,
                                                unknown_code("indicator", row[column])))
            raise_problems(problems[:1000])
            return self._upsert_keyed(schema.campaign_measures, rows, ["campaign", "sector"], c)  # type: ignore

    def campaign_measures(self, campaign: str | None = None) -> pd.DataFrame:
        """The per-sector measures (of ``campaign`` only, if given)."""
        frame = self._read_table(schema.campaign_measures, MEASURE_COLUMNS, ["campaign", "sector"])  # type: ignore
        if campaign is not None:
            frame = frame[frame["campaign"].eq(campaign)].reset_index(drop=True)
        return frame
