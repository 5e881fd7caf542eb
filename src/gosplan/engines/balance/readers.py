"""Readers for input-output tables: a plain flows CSV, OECD symmetric tables, BEA use tables.

Each returns an :class:`IOTable` (or, for published requirements tables, a DataFrame) and never
touches the network. :func:`read_table` picks the reader from the file.

Flows CSV (gosplan's own format): first column the sector label, then one column per sector with
the intermediate flows (row sells to column), then any of ``final_demand`` (required unless
``output`` is given), ``output``, ``value_added``, ``imports``, ``employment``, ``income``,
``household_consumption``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.engines.balance.table import IOTable
from gosplan.errors import Problem, ValidationError

SATELLITES = (
    "final_demand",
    "output",
    "value_added",
    "imports",
    "employment",
    "income",
    "household_consumption",
)
OECD_FINAL_DEMAND = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR", "CONS_NONRES", "EXPO", "IMPO")


def read_flows_csv(path: str | Path) -> IOTable:
    """Read gosplan's flows CSV (see the module docstring)."""
    path = Path(path)
    return _flows_from_frame(pd.read_csv(path, index_col=0), path.name)


def _flows_from_frame(frame: pd.DataFrame, source: str) -> IOTable:
    frame.index = frame.index.astype(str)
    sectors = [c for c in frame.columns if c not in SATELLITES]
    problems = []
    if list(frame.index) != sectors:
        problems.append(
            Problem(
                source,
                None,
                None,
                "the sector columns must repeat the row labels in the same "
                f"order; rows {list(frame.index[:5])}..., columns {sectors[:5]}...",
            )
        )
    if "final_demand" not in frame and "output" not in frame:
        problems.append(Problem(source, None, None, "need a final_demand or an output column"))
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        for pos in np.flatnonzero(values.isna().to_numpy() & frame[column].notna().to_numpy())[:20]:
            problems.append(
                Problem(source, int(pos) + 2, str(column), f"not a number: {frame[column].iloc[pos]!r}")
            )
    if problems:
        raise ValidationError(problems)
    frame = frame.apply(pd.to_numeric).fillna(0.0)
    extra = {k: frame[k].to_numpy() for k in SATELLITES[2:] if k in frame}
    table = IOTable.from_flows(
        frame[sectors].to_numpy(),
        frame["output"].to_numpy() if "output" in frame else None,
        final_demand=frame["final_demand"].to_numpy() if "final_demand" in frame else None,
        labels=list(frame.index),
        **extra,
    )
    table.name = source
    return table


def write_flows_csv(table: IOTable, path: str | Path) -> None:
    """Write a table in the flows CSV format (flows ``Z = A diag(x)`` plus its vectors)."""
    x = table._require("x", "writing flows needs gross output")
    frame = pd.DataFrame(
        (table.A @ np.diag(x)) if table.n <= 5000 else (table.A.toarray() * x[None, :]),
        index=table.labels,
        columns=table.labels,
    )
    frame["output"] = x
    for name, attribute in (
        ("final_demand", "y"),
        ("value_added", "value_added"),
        ("imports", "imports"),
        ("employment", "employment"),
        ("income", "income"),
        ("household_consumption", "household_consumption"),
    ):
        if getattr(table, attribute) is not None:
            frame[name] = getattr(table, attribute)
    frame.to_csv(path, index_label="sector")


def read_oecd_csv(path: str | Path, drop_zero_output: bool = True, domestic: bool = True) -> IOTable:
    """Read an OECD national symmetric input-output table (e.g. ``BEL2020ttl.csv``).

    Rows ``TTL_xx`` are the intermediate flows, ``VALU`` value added and ``OUTPUT`` gross output.
    "TTL" tables mix domestic and imported products, balanced by a negative ``IMPO`` final-use column.
    With ``domestic=True`` (default) each product row of the flows and final uses is split by the
    import-similarity assumption (domestic share ``x_i / (x_i + imports_i)``), so the table describes
    domestic production, ``imports`` holds each industry's imported intermediate inputs and ``IMPO``
    leaves final demand; ``domestic=False`` keeps total flows with ``IMPO`` inside final demand.
    Final-demand columns are kept in ``final_demand_detail``. Zero-output industries are dropped.
    """
    path = Path(path)
    raw = pd.read_csv(path, index_col=0)
    sectors = [c for c in raw.columns if c not in OECD_FINAL_DEMAND]
    rows = [f"TTL_{c[1:]}" for c in sectors]
    missing = [r for r in [*rows, "OUTPUT", "VALU"] if r not in raw.index]
    if missing:
        raise ValidationError(
            [Problem(path.name, None, None, f"not an OECD IO table: rows {missing[:5]} missing")]
        )
    Z = raw.loc[rows, sectors].to_numpy(dtype=np.float64)
    x = raw.loc["OUTPUT", sectors].to_numpy(dtype=np.float64)
    fd_columns = [c for c in OECD_FINAL_DEMAND if c in raw.columns]
    final = raw.loc[rows, fd_columns].astype(float)
    final.index = sectors
    value_added = raw.loc["VALU", sectors].to_numpy(dtype=np.float64)
    imports = None
    if domestic and "IMPO" in final:
        supply = x - final.pop("IMPO").to_numpy()  # IMPO is recorded negative
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.clip(np.where(supply > 0, x / np.where(supply > 0, supply, 1.0), 1.0), 0.0, 1.0)
        imports = ((1.0 - share)[:, None] * Z).sum(axis=0)
        Z = share[:, None] * Z
        final = final.mul(share, axis=0)
    keep = np.flatnonzero(x != 0) if drop_zero_output else np.arange(len(sectors))
    labels = [sectors[k] for k in keep]
    table = IOTable.from_flows(
        Z[np.ix_(keep, keep)],
        x[keep],
        final_demand=final.iloc[keep],
        labels=labels,
        value_added=value_added[keep],
        imports=None if imports is None else imports[keep],
        household_consumption=final["HFCE"].to_numpy()[keep] if "HFCE" in final else None,
    )
    table.name = path.name
    return table


def _bea_sheet(path: Path, year: int | str) -> pd.DataFrame:
    sheet = pd.read_excel(path, sheet_name=str(year), header=None, dtype=object)
    header_row = int(np.flatnonzero(sheet.iloc[:, 0].astype(str).str.strip() == "IOCode")[0])
    codes = sheet.iloc[header_row - 1].tolist()
    titles = sheet.iloc[header_row].tolist()
    # totals have no code in BEA's header; name those columns by their title
    labels = [
        str(c).strip() if isinstance(c, str) and c.strip() else str(t).strip()
        for c, t in zip(codes, titles, strict=True)
    ]
    body = sheet.iloc[header_row + 1 :].copy()
    body.columns = ["code", "name", *labels[2:]]
    return body


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(pd.to_numeric, errors="coerce").fillna(0.0)  # "..." (suppressed) counts as 0


def read_bea_use(path: str | Path, year: int | str = 2015) -> IOTable:
    """Read a BEA use table (before redefinitions, producers' prices) as an industry-by-industry table.

    Caveat: a use table is commodity-by-industry. Without the make table we take each industry as the
    maker of the commodity with the same code (exact for the 71 summary codes, which BEA names alike),
    drop the two commodities with no industry ("Used", "Other"), and use total industry output as
    ``x``. Imports are removed in proportion to each commodity's total use (the usual import-similarity
    assumption) and kept in ``imports``. The result approximates BEA's own requirements tables, which
    are built with the make table and after redefinitions.
    """
    path = Path(path)
    body = _bea_sheet(path, year)
    body["code"] = body["code"].astype(str).str.strip()
    industries = [c for c in body.columns[2:] if c and c != "nan" and not c.startswith("F") and c != "T001"]
    industry_codes = [c for c in industries if c in set(body["code"])]
    rows = body.set_index("code")
    Z_total = _numbers(rows.loc[industry_codes, industry_codes]).to_numpy()
    names = rows.loc[industry_codes, "name"].astype(str).tolist()
    output_row = body[body["name"].astype(str).str.strip() == "Total Industry Output"]
    x = _numbers(output_row[industry_codes]).to_numpy().ravel()
    va_row = body[body["name"].astype(str).str.strip() == "Total Value Added"]
    value_added = _numbers(va_row[industry_codes]).to_numpy().ravel()
    commodity_output = _numbers(rows.loc[industry_codes, ["Total Commodity Output"]]).to_numpy().ravel()
    imports_col = (
        _numbers(rows.loc[industry_codes, ["F050"]]).to_numpy().ravel()
        if "F050" in rows.columns
        else np.zeros(len(industry_codes))
    )
    total_use = commodity_output - imports_col  # imports enter the use table as a negative final use
    with np.errstate(divide="ignore", invalid="ignore"):
        domestic_share = np.clip(np.where(total_use > 0, commodity_output / total_use, 1.0), 0.0, 1.0)
    Z = Z_total * domestic_share[:, None]
    imported_inputs = (Z_total - Z).sum(axis=0)
    table = IOTable.from_flows(Z, x, labels=industry_codes, value_added=value_added, imports=imported_inputs)
    table.sector_names = dict(zip(industry_codes, names, strict=True))  # type: ignore[attr-defined]
    table.name = f"{path.name}:{year}"
    return table


def read_bea_requirements(path: str | Path, year: int | str = 2015) -> pd.DataFrame:
    """Read a BEA published total requirements table (e.g. industry-by-commodity domestic) as a
    DataFrame (rows: industries, columns: commodities), without the total row."""
    body = _bea_sheet(Path(path), year)
    body = body[body["code"].notna() & (body["code"].astype(str).str.strip() != "")]
    body = body[~body["code"].astype(str).str.startswith(("Legend", "Note"))]
    columns = [c for c in body.columns[2:] if c and c != "nan"]
    frame = _numbers(body.set_index(body["code"].astype(str).str.strip())[columns])
    frame.index.name, frame.columns.name = "industry", "commodity"
    return frame


def read_table(path: str | Path, year: int | str | None = None, **kwargs: Any) -> IOTable:
    """Read any supported table: ``.xlsx`` as a BEA use table, ``.csv`` as OECD (if it has an
    ``OUTPUT`` row) or as gosplan flows, ``.parquet`` as gosplan flows."""
    path = Path(path)
    if not path.exists():
        raise ValidationError([Problem(str(path), None, None, "file not found")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return read_bea_use(path, year if year is not None else 2015)
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        if "sector" in frame.columns:
            frame = frame.set_index("sector")
        return _flows_from_frame(frame, path.name)
    with path.open() as handle:
        head = handle.read(200_000)
    if '"OUTPUT"' in head or "\nOUTPUT," in head:
        return read_oecd_csv(path, **kwargs)
    return read_flows_csv(path)
