"""Movements (campaigns) and the units that joined them.

A campaign is keyed by its name and a member by (campaign, unit); both are upserted like projects
(a repeated key with new content updates the row). Months are kept as ordinals and read back as
``YYYY-MM`` text.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from gosplan.errors import Problem
from gosplan.store import schema
from gosplan.store._common import (
    WriteSummary,
    in_reader_language,
    korean_texts,
    month_labels,
    month_ordinals,
    raise_problems,
    require_columns,
    unknown_code,
)
from gosplan.store._projects import _rows

CAMPAIGN_COLUMNS = ["name", "origin_unit", "start", "indicator", "description"]
CAMPAIGN_MEMBER_COLUMNS = ["campaign", "unit", "joined"]


class CampaignMixin:
    """Campaigns and their members (mixed into :class:`~gosplan.store.Store`).

    >>> import pandas as pd
    >>> from gosplan.store import Store
    >>> store = Store.open("sqlite://")
    >>> _ = store.write_campaigns(pd.DataFrame([("m", "coal.kujang", "2023-01", "coal", "")],
    ...                                        columns=CAMPAIGN_COLUMNS))
    >>> _ = store.write_campaign_members(pd.DataFrame([("m", "coal.kujang", "2023-01")],
    ...                                               columns=CAMPAIGN_MEMBER_COLUMNS))
    >>> store.campaign_members()["joined"].tolist()
    ['2023-01']
    """

    def _tx(self, conn: Connection | None):  # provided by Store
        raise NotImplementedError

    def write_campaigns(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update campaigns by name (columns: name, origin_unit, start 'YYYY-MM', indicator,
        description)."""
        require_columns(frame, CAMPAIGN_COLUMNS[:-1], "campaigns")
        frame = frame.reset_index(drop=True)
        starts, problems = month_ordinals(frame["start"].astype(str).str[:7], "campaigns", "start")
        raise_problems(problems)
        rows = korean_texts(frame, _rows(frame, CAMPAIGN_COLUMNS, {"description": ""}), "description_ko")
        for row, start in zip(rows, starts.tolist(), strict=True):
            row["start"] = int(start)
        return self._upsert_keyed(schema.campaigns, rows, ["name"], conn)  # type: ignore[attr-defined]

    def campaigns(self) -> pd.DataFrame:
        """All campaigns in the order they were first written (``CAMPAIGN_COLUMNS``)."""
        frame = self._read_table(schema.campaigns, [*CAMPAIGN_COLUMNS, "description_ko"],  # type: ignore[attr-defined]
                                 ["id"])
        frame["start"] = month_labels(frame["start"].to_numpy(dtype="int64"))
        return in_reader_language(frame, "description")

    def write_campaign_members(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update members by (campaign, unit) with the month they joined; the campaign must exist."""
        require_columns(frame, CAMPAIGN_MEMBER_COLUMNS, "campaign_members")
        frame = frame.reset_index(drop=True)
        joined, problems = month_ordinals(frame["joined"].astype(str).str[:7], "campaign_members", "joined")
        raise_problems(problems)
        rows = _rows(frame, CAMPAIGN_MEMBER_COLUMNS)
        for row, month in zip(rows, joined.tolist(), strict=True):
            row["joined"] = int(month)
        with self._tx(conn) as c:
            known = set(c.execute(select(schema.campaigns.c.name)).scalars())
            raise_problems([Problem("campaign_members", i + 2, "campaign", unknown_code("campaign", r["campaign"]))
                            for i, r in enumerate(rows) if r["campaign"] not in known][:1000])
            return self._upsert_keyed(schema.campaign_members, rows, ["campaign", "unit"], c)  # type: ignore

    def campaign_members(self, campaign: str | None = None) -> pd.DataFrame:
        """Members (of ``campaign`` only, if given) in the order they joined."""
        table = schema.campaign_members
        frame = self._read_table(table, CAMPAIGN_MEMBER_COLUMNS, ["campaign", "joined", "unit"])  # type: ignore
        if campaign is not None:
            frame = frame[frame["campaign"].eq(campaign)].reset_index(drop=True)
        frame["joined"] = month_labels(frame["joined"].to_numpy(dtype="int64"))
        return frame
