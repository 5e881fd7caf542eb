"""Input norms: physical units of a good per physical unit of a consumer's output.

Three sources, in order of trust: ``entered`` (engineering norms typed in by the planner),
``reports`` (reported consumption divided by reported output) and ``io_table`` (the value
coefficients of the input-output table turned into physical terms with prices).

>>> import pandas as pd
>>> Z = pd.DataFrame([[10.0, 30.0], [20.0, 5.0]], index=["coal", "steel"], columns=["coal", "steel"])
>>> x = pd.Series([100.0, 200.0], index=["coal", "steel"])
>>> goods = pd.DataFrame({"indicator": ["coal"], "sector": ["coal"], "price": [50.0], "share": [1.0]})
>>> consumers = pd.DataFrame({"indicator": ["rolled_steel"], "sector": ["steel"], "price": [400.0]})
>>> norms_from_io(Z, x, goods, consumers)[["good", "consumer", "norm"]].to_dict("records")
[{'good': 'coal', 'consumer': 'rolled_steel', 'norm': 1.2}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.errors import InvalidValue

NORM_COLUMNS = ["good", "consumer", "norm", "source", "note"]


def norms_from_io(Z: pd.DataFrame, x: pd.Series, goods: pd.DataFrame, consumers: pd.DataFrame) -> pd.DataFrame:
    """Norms from value flows: ``norm[g, k] = A[i(g), j(k)] * share_g * price_k / price_g``.

    ``A = Z diag(x)^-1`` (won of sector i per won of sector j's output). ``goods``: columns indicator,
    sector, price (won per physical unit), share (the good's part of its sector's output value).
    ``consumers``: columns indicator, sector, price. The good is assumed to be sold like the rest of
    its sector, and every product of the consuming sector to use it in proportion to its value.
    """
    for name, frame, cols in (("goods", goods, ("indicator", "sector", "price", "share")),
                              ("consumers", consumers, ("indicator", "sector", "price"))):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InvalidValue(f"{name} needs the columns {missing}")
        if (pd.to_numeric(frame["price"], errors="coerce").fillna(-1) <= 0).any():
            raise InvalidValue(f"{name}: every price must be a positive number")
    sectors = pd.Index(Z.index.astype(str))
    for frame in (goods, consumers):
        unknown = sorted(set(frame["sector"].astype(str)) - set(sectors))
        if unknown:
            raise InvalidValue(f"sectors not in the input-output table: {unknown}")
    A = Z.to_numpy(dtype=np.float64) / x.reindex(sectors).to_numpy(dtype=np.float64)[None, :]
    gi = sectors.get_indexer(goods["sector"].astype(str))
    ki = sectors.get_indexer(consumers["sector"].astype(str))
    block = A[np.ix_(gi, ki)]
    ratio = (goods["share"].to_numpy(float)[:, None] * consumers["price"].to_numpy(float)[None, :]
             / goods["price"].to_numpy(float)[:, None])
    norm = block * ratio
    g_idx, k_idx = np.nonzero(norm > 0)
    out = pd.DataFrame({
        "good": goods["indicator"].astype(str).to_numpy()[g_idx],
        "consumer": consumers["indicator"].astype(str).to_numpy()[k_idx],
        "norm": norm[g_idx, k_idx],
        "source": "io_table",
        "note": [f"A[{goods['sector'].iat[g]}, {consumers['sector'].iat[k]}] = {A[gi[g], ki[k]]:.4f} at prices"
                 for g, k in zip(g_idx, k_idx, strict=True)],
    })
    return out


def norms_from_reports(good: str, consumption: pd.DataFrame, output: pd.DataFrame) -> pd.DataFrame:
    """Norms of ``good`` per unit of each indicator: reported consumption over reported output.

    ``consumption``: columns unit, value (what each unit used of ``good``); ``output``: columns unit,
    indicator, value. Only units producing a single indicator count (a unit with two outputs cannot
    say which used what).

    >>> import pandas as pd
    >>> use = pd.DataFrame({"unit": ["a", "b"], "value": [600.0, 1300.0]})
    >>> out = pd.DataFrame({"unit": ["a", "b"], "indicator": ["rolled_steel"] * 2, "value": [1.0, 2.0]})
    >>> norms_from_reports("electricity", use, out)[["consumer", "norm"]].to_dict("records")
    [{'consumer': 'rolled_steel', 'norm': 633.3333333333334}]
    """
    single = output.groupby("unit")["indicator"].transform("nunique") == 1
    out = output[single & (pd.to_numeric(output["value"], errors="coerce") > 0)]
    used = consumption.groupby("unit")["value"].sum()
    frame = out.assign(used=out["unit"].map(used)).dropna(subset=["used"])
    totals = frame.groupby("indicator")[["used", "value"]].sum()
    totals = totals[(totals["value"] > 0) & (totals["used"] >= 0)]
    units = frame.groupby("indicator")["unit"].nunique()
    return pd.DataFrame({
        "good": good,
        "consumer": totals.index.astype(str),
        "norm": (totals["used"] / totals["value"]).to_numpy(),
        "source": "reports",
        "note": [f"reported use over output of {units[k]} units" for k in totals.index],
    }).reset_index(drop=True)


def combine_norms(*frames: pd.DataFrame) -> pd.DataFrame:
    """One norm per (good, consumer): the first frame that has the pair wins (pass the most trusted first)."""
    parts = [f[NORM_COLUMNS] if "note" in f.columns else f.assign(note="")[NORM_COLUMNS] for f in frames if len(f)]
    if not parts:
        return pd.DataFrame(columns=NORM_COLUMNS)
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["good", "consumer"], keep="first")
    return out.sort_values(["good", "consumer"]).reset_index(drop=True)
