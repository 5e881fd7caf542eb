"""Indicator metadata: definition, method of calculation, source, responsible body, unit of measure and
reporting frequency, with the indicator sets that carry each indicator (what ``gosplan indicators``,
the review's annex and the SDMX structure show).

    catalogue = indicator_catalogue(service)     # one row per indicator
    card = indicator_card(service, "coal")       # one indicator, every field
"""

from __future__ import annotations

import difflib

import pandas as pd

from gosplan.errors import NotFound
from gosplan.i18n import N_, _
from gosplan.i18n.codes import word_of
from gosplan.model import INDICATOR_METADATA_COLUMNS
from gosplan.service.core import Service

#: The reporting frequencies (codes of the store) in words, as read in a sentence ("reported monthly").
FREQUENCY_WORDS = {"monthly": N_("monthly"), "quarterly": N_("quarterly"), "half-yearly": N_("half-yearly"),
                   "annual": N_("annually")}
CATALOGUE_COLUMNS = ["code", "name", "unit", *INDICATOR_METADATA_COLUMNS, "role", "key", "sets"]


def indicator_catalogue(service: Service) -> pd.DataFrame:
    """Every indicator with its metadata (None where not given) in the reader's language, the frequency in
    words, role, key flag and the indicator sets that hold it (``;``-joined codes)."""
    meta = service.store.indicator_metadata()
    indicators = service.indicators().set_index("code")
    members = service.store.indicator_sets()
    sets = members.groupby("indicator")["set"].agg(lambda s: ";".join(sorted(s))) if len(members) else pd.Series()
    frequency = meta["frequency"].map(lambda code: word_of(FREQUENCY_WORDS, code) if isinstance(code, str) else code)
    return meta.assign(frequency=frequency, role=meta["code"].map(indicators["role"]),
                       key=meta["code"].map(indicators["key"]),
                       sets=meta["code"].map(sets).fillna(""))[CATALOGUE_COLUMNS]


def indicator_card(service: Service, code: str) -> pd.Series:
    """One indicator's row of :func:`indicator_catalogue`; an unknown code is refused with the nearest."""
    catalogue = indicator_catalogue(service)
    found = catalogue[catalogue["code"].eq(code)]
    if found.empty:
        close = difflib.get_close_matches(code, catalogue["code"].tolist(), n=1)
        hint = _(" (did you mean {code}?)", code=repr(close[0])) if close else ""
        raise NotFound(_("unknown indicator {code}{hint}", code=repr(code), hint=hint))
    return found.iloc[0]


def field_labels() -> dict[str, str]:
    """The metadata fields' labels in the reader's language, in the order they are shown."""
    return {"definition": _("Definition"), "method": _("Method of calculation"), "source": _("Source"),
            "responsible": _("Responsible body"), "unit": _("Unit of measure"),
            "frequency": _("Reporting frequency")}
