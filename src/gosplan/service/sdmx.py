"""SDMX exports: the structure (codelists, DSDs, dataflows) and reports or targets as SDMX-ML 2.1
structure-specific data or SDMX-CSV. Imports of SDMX-ML data go through the ordinary import
(``gosplan import FILE.xml``), with the same validation as CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gosplan.errors import GosplanError
from gosplan.i18n import _, use_language
from gosplan.ingest.sdmx import write_data, write_sdmx_csv, write_structure
from gosplan.model import Period
from gosplan.service.core import Service

SDMX_FORMATS = ("sdmx", "sdmx-csv")


def export_sdmx(service: Service, what: str, path: str | Path, period: str | None = None,
                fmt: str = "sdmx") -> tuple[Path, int]:
    """Write ``structure``, ``reports`` or ``targets`` (of ``period``, else all) as ``sdmx`` (SDMX-ML 2.1)
    or ``sdmx-csv``. Returns the path and the number of observations (codes for the structure)."""
    if fmt not in SDMX_FORMATS:
        raise GosplanError(_("{option} must be one of {choices} here, not {value}", option="--format",
                              choices=", ".join(SDMX_FORMATS), value=repr(fmt)))
    path = Path(path)
    if what == "structure":
        if fmt != "sdmx":
            raise GosplanError(_("the structure is written as SDMX-ML (--format sdmx)"))
        # The indicators with their metadata: definitions become the codes' descriptions.
        with use_language("en"):  # the structure's texts are labelled xml:lang="en"; Korean ones beside them
            units, indicators, plans = service.store.units(), service.store.indicator_metadata(), service.store.plans()
        write_structure(path, units, indicators, plans, _korean_texts(service))
        return path, len(units) + len(indicators) + len(plans)
    frame = _frame(service, what, period)
    measures = service.indicators().set_index("code")["unit"]
    write = write_data if fmt == "sdmx" else write_sdmx_csv
    return path, write(path, what, frame, measures)


def _frame(service: Service, what: str, period: str | None) -> pd.DataFrame:
    p = Period.parse(period) if period else None
    if what == "reports":
        if p is None:
            return service.store.reports()
        return service.store.reports(first=str(p.first_month()), last=str(p.last_month()))
    if what == "targets":
        targets = service.store.targets()
        if p is not None:
            inside = [p.contains(Period.parse(x)) for x in targets["period"]]
            targets = targets[inside]
        return targets
    raise GosplanError(_("cannot export {what} as SDMX: choose structure, reports or targets", what=repr(what)))


def _korean_texts(service: Service) -> dict[str, dict[str, str]]:
    """The Korean names of units, indicators and plans and the indicators' Korean definitions, where given."""
    def given(codes: pd.Series, texts: pd.Series) -> dict[str, str]:
        return {c: t for c, t in zip(codes, texts, strict=True) if isinstance(t, str) and t.strip()}

    units, plans = service.store.names("units"), service.store.names("plans")
    indicators = service.store.indicator_texts()
    return {"units": given(units["code"], units["name_ko"]),
            "indicators": given(indicators["code"], indicators["name_ko"]),
            "plans": given(plans["code"], plans["name_ko"]),
            "definitions": given(indicators["code"], indicators["definition_ko"])}
