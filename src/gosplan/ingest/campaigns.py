"""Kinds of file for movements (campaigns) and their members, checked like reports.

The same rules as for projects apply: unknown extra columns are rejected, codes must name a unit,
an indicator or a campaign that exists, months are ``YYYY-MM`` and may not lie after ``today``, a
unit may not join before its campaign started, and a key may appear only once per file. Every
problem is reported at once.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from gosplan.model import Period
from gosplan.store import Store

from .checks import Problems, check_codes, check_duplicates, check_known, check_text, korean_text, text_column
from .projects import _months

CAMPAIGN_KINDS: tuple[str, ...] = ("campaigns", "campaign_members")


def _unit_codes(problems: Problems, frame: pd.DataFrame, column: str, store: Store) -> pd.Series:
    codes = text_column(frame, column)
    valid = check_codes(problems, codes, column)
    check_known(problems, codes, column, pd.Index(store.units()["code"]), "unit", valid)
    return codes


def validate_campaign_kind(kind: str, frame: pd.DataFrame, store: Store, problems: Problems,
                           today: date) -> pd.DataFrame:
    """Check a campaigns or campaign_members file; returns the clean frame for the store."""
    out = pd.DataFrame(index=frame.index)
    if kind == "campaigns":
        out["name"] = text_column(frame, "name")
        check_codes(problems, out["name"], "name")
        out["origin_unit"] = _unit_codes(problems, frame, "origin_unit", store)
        out["start"] = _months(problems, frame, "start", today)
        out["indicator"] = text_column(frame, "indicator")
        valid = check_codes(problems, out["indicator"], "indicator")
        check_known(problems, out["indicator"], "indicator", pd.Index(store.indicators()["code"]), "indicator",
                    valid)
        description = text_column(frame, "description") if "description" in frame else pd.Series(
            "", index=frame.index, dtype=object)
        check_text(problems, description, "description", required=False)
        out["description"] = description
        korean_text(problems, frame, out, "description_ko")
        keys = ["name"]
    elif kind == "campaign_members":
        out["campaign"] = text_column(frame, "campaign")
        valid = check_codes(problems, out["campaign"], "campaign")
        campaigns = store.campaigns().set_index("name")
        check_known(problems, out["campaign"], "campaign", pd.Index(campaigns.index), "campaign", valid)
        out["unit"] = _unit_codes(problems, frame, "unit", store)
        out["joined"] = _months(problems, frame, "joined", today)
        start = out["campaign"].map(campaigns["start"]).fillna("")
        early = [(j != "" and s != "" and Period.parse(j).ordinal < Period.parse(s).ordinal)
                 for j, s in zip(out["joined"], start, strict=True)]
        problems.add_rows(frame.index[early], "joined", "joined before the campaign started")
        keys = ["campaign", "unit"]
    else:  # pragma: no cover - the importer dispatches only the kinds above
        raise ValueError(kind)
    check_duplicates(problems, out, keys)
    return out


def detect_campaign_kind(present: set[str]) -> str | None:
    """The kind of a campaigns file from its header, or ``None``."""
    if "joined" in present:
        return "campaign_members"
    if "origin_unit" in present:
        return "campaigns"
    return None
