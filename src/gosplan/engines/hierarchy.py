"""The unit hierarchy as arrays: depth, ancestors, subtrees, and bottom-up roll-ups.

One roll-up for the whole house: :meth:`Hierarchy.rollup` aggregates per-unit values up the tree,
level by level, where a unit's own value (a target set at a province, a report filed by a county)
takes precedence over the sum of its children. Every engine that sums over units uses it.

>>> import pandas as pd
>>> units = pd.DataFrame({"code": ["KP", "P1", "E1", "E2"], "parent": [None, "KP", "P1", "P1"]})
>>> h = Hierarchy(units)
>>> h.depth["E1"], h.path("E2")
(2, ['KP', 'P1', 'E2'])
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError


class Hierarchy:
    """Parent pointers of units, checked for unknown parents and cycles."""

    def __init__(self, units: pd.DataFrame) -> None:
        codes = units["code"].astype(str).tolist()
        parents = [None if _blank(p) else str(p) for p in units["parent"].tolist()]
        self.codes: list[str] = codes
        self.parent: dict[str, str | None] = dict(zip(codes, parents, strict=True))
        problems = [
            Problem("units", None, "parent", f"unit {c!r} has unknown parent {p!r}")
            for c, p in self.parent.items() if p is not None and p not in self.parent
        ]
        if problems:
            raise ValidationError(problems)
        self.depth: dict[str, int] = {}
        for code in codes:
            self._depth_of(code)
        self.children: dict[str, list[str]] = {c: [] for c in codes}
        for code, parent in self.parent.items():
            if parent is not None:
                self.children[parent].append(code)
        self.roots = [c for c in codes if self.parent[c] is None]

    def _depth_of(self, code: str) -> int:
        seen: list[str] = []
        node: str | None = code
        while node is not None and node not in self.depth:
            if node in seen:
                raise ValidationError([Problem("units", None, "parent",
                                               f"the unit hierarchy has a cycle: {' > '.join(seen)}")])
            seen.append(node)
            node = self.parent[node]
        base = -1 if node is None else self.depth[node]
        for offset, item in enumerate(reversed(seen), start=1):
            self.depth[item] = base + offset
        return self.depth[code]

    def path(self, code: str) -> list[str]:
        """From the root down to ``code`` (the breadcrumb)."""
        out = []
        node: str | None = code
        while node is not None:
            out.append(node)
            node = self.parent[node]
        return out[::-1]

    def subtree(self, code: str) -> list[str]:
        """``code`` and all its descendants."""
        out, stack = [], [code]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children[node])
        return out

    def is_leaf(self, code: str) -> bool:
        return not self.children[code]

    def closure(self, codes: Iterable[str] | None = None) -> pd.DataFrame:
        """Pairs (unit, ancestor) for every unit and each of its ancestors, itself included."""
        rows_unit, rows_anc = [], []
        for code in codes if codes is not None else self.codes:
            node: str | None = code
            while node is not None:
                rows_unit.append(code)
                rows_anc.append(node)
                node = self.parent[node]
        return pd.DataFrame({"unit": rows_unit, "ancestor": rows_anc})

    def rollup(self, own: pd.DataFrame, keys: list[str], value_columns: list[str],
               how: pd.Series | None = None) -> pd.DataFrame:
        """Aggregate values bottom-up; a unit's own row wins over the roll-up of its children.

        ``own`` has a ``unit`` column, the grouping ``keys`` (e.g. ``["indicator"]``) and the
        ``value_columns``. ``how`` maps each key tuple's first key (the indicator) to ``"sum"``,
        ``"mean"`` or ``"max"`` (default sum). Returns a row for every unit that has an own row or
        a descendant with one, with the column ``rolled`` telling whether the values came from children.
        NaN in a child value propagates to the parent's sum (a missing target makes the parent's
        target unknown rather than silently smaller).
        """
        cols = ["unit", *keys, *value_columns]
        current = own[cols].copy()
        if current.empty:
            return current.assign(rolled=pd.Series(dtype=bool))
        current["rolled"] = False
        current["depth"] = current["unit"].map(self.depth)
        if current["depth"].isna().any():
            unknown = sorted(set(current.loc[current["depth"].isna(), "unit"]))[:5]
            raise ValidationError([Problem("rollup", None, "unit", f"unknown units {unknown}")])
        result = [current]
        pending = current
        max_depth = int(current["depth"].max()) if len(current) else 0
        done = {(u, *k) for u, *k in current[["unit", *keys]].itertuples(index=False)}
        for level in range(max_depth, 0, -1):
            at_level = pd.concat([r[r["depth"] == level] for r in result], ignore_index=True)
            if at_level.empty:
                continue
            at_level = at_level.assign(parent=at_level["unit"].map(self.parent))
            grouped = self._aggregate(at_level, keys, value_columns, how)
            grouped = grouped.rename(columns={"parent": "unit"})
            mask = [tuple(row) not in done for row in grouped[["unit", *keys]].itertuples(index=False)]
            grouped = grouped[np.asarray(mask, dtype=bool)]
            if grouped.empty:
                continue
            grouped["rolled"] = True
            grouped["depth"] = level - 1
            done.update((u, *k) for u, *k in grouped[["unit", *keys]].itertuples(index=False))
            result.append(grouped)
            pending = grouped
        del pending
        out = pd.concat(result, ignore_index=True)
        return out.drop(columns=["depth"])

    @staticmethod
    def _aggregate(frame: pd.DataFrame, keys: list[str], value_columns: list[str],
                   how: pd.Series | None) -> pd.DataFrame:
        group = ["parent", *keys]
        summed = frame.groupby(group, sort=False)[value_columns].sum(min_count=1)
        # sum(min_count=1) ignores NaN; restore "unknown if any child unknown" for the sum case
        has_nan = frame[value_columns].isna().groupby([frame[g] for g in group], sort=False).any()
        summed = summed.mask(has_nan)
        if how is None or (how == "sum").all():
            return summed.reset_index()
        means = frame.groupby(group, sort=False)[value_columns].mean()
        maxes = frame.groupby(group, sort=False)[value_columns].max()
        method = summed.index.get_level_values(keys[0]).map(how).fillna("sum")
        method = np.asarray(method)
        out = summed.copy()
        out.loc[method == "mean", :] = means.loc[method == "mean", :].to_numpy()
        out.loc[method == "max", :] = maxes.loc[method == "max", :].to_numpy()
        return out.reset_index()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() in ("", "nan",
                                                                                                     "None")
