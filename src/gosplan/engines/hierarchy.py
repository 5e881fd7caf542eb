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
        # Integer view of the tree for vectorised roll-ups (-1: no parent).
        self._index = pd.Index(codes)
        self._depth_array = np.array([self.depth[c] for c in codes], dtype=np.int64)
        self._parent_array = np.array([-1 if p is None else self._index.get_loc(p) for p in parents], dtype=np.int64)

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

        ``own`` has a ``unit`` column, one grouping key column ``keys[0]`` (e.g. ``"indicator"``) and
        the ``value_columns``. ``how`` maps each key to ``"sum"``, ``"mean"`` or ``"max"`` (default
        sum). Returns a row for every unit that has an own row or a descendant with one, with the
        column ``rolled`` telling whether the values came from children. NaN in a child value makes
        the parent's sum NaN (a missing target makes the parent's target unknown, not smaller).
        Works on integer codes level by level, so 500,000 unit x indicator rows take well under a second.
        """
        (key,) = keys
        if own.empty:
            return own[["unit", key, *value_columns]].assign(rolled=pd.Series(dtype=bool))
        units = own["unit"]
        if isinstance(units.dtype, pd.CategoricalDtype) and units.cat.categories.equals(self._index):
            unit_ids = units.cat.codes.to_numpy().astype(np.int64)
        else:
            unit_ids = self._index.get_indexer(units.astype(str))
        if (unit_ids < 0).any():
            unknown = sorted(set(own.loc[unit_ids < 0, "unit"].astype(str)))[:5]
            raise ValidationError([Problem("rollup", None, "unit", f"unknown units {unknown}")])
        key_ids, key_values = pd.factorize(own[key])
        n_keys = max(len(key_values), 1)
        methods = np.zeros(n_keys, dtype=np.int8)  # 0 sum, 1 mean, 2 max
        if how is not None:
            named = pd.Series(key_values).map(how).fillna("sum").to_numpy()
            methods = np.select([named == "mean", named == "max"], [1, 2], default=0).astype(np.int8)
        values = own[value_columns].to_numpy(dtype=float)
        own_keys = unit_ids.astype(np.int64) * n_keys + key_ids
        parts_unit, parts_key, parts_values, parts_rolled = [unit_ids], [key_ids], [values], [np.zeros(len(own), bool)]
        all_unit, all_key, all_values = unit_ids, key_ids, values
        depth = self._depth_array
        for level in range(int(depth[unit_ids].max()), 0, -1):
            at = depth[all_unit] == level
            if not at.any():
                continue
            parent = self._parent_array[all_unit[at]]
            composite = parent.astype(np.int64) * n_keys + all_key[at]
            group, uniques = pd.factorize(composite)
            fresh = ~np.isin(uniques, own_keys)
            if not fresh.any():
                continue
            aggregated = _aggregate(group, len(uniques), all_values[at], methods[uniques % n_keys])
            new_unit = (uniques[fresh] // n_keys).astype(np.int64)
            new_key = (uniques[fresh] % n_keys).astype(np.int64)
            new_values = aggregated[fresh]
            parts_unit.append(new_unit)
            parts_key.append(new_key)
            parts_values.append(new_values)
            parts_rolled.append(np.ones(len(new_unit), bool))
            all_unit = np.concatenate([all_unit, new_unit])
            all_key = np.concatenate([all_key, new_key])
            all_values = np.vstack([all_values, new_values])
        out = pd.DataFrame(np.vstack(parts_values), columns=value_columns)
        key_column = np.asarray(key_values)[np.concatenate(parts_key)]
        if isinstance(own[key].dtype, pd.CategoricalDtype):
            key_column = pd.Categorical(key_column, categories=own[key].cat.categories)
        out.insert(0, key, key_column)
        # Categorical units keep later merges on integer codes instead of hashing strings.
        out.insert(0, "unit", pd.Categorical.from_codes(np.concatenate(parts_unit), categories=self._index))
        out["rolled"] = np.concatenate(parts_rolled)
        return out



def _aggregate(group: np.ndarray, n_groups: int, values: np.ndarray, method: np.ndarray) -> np.ndarray:
    """Per group: sum (NaN if any member is NaN), mean or max of each value column."""
    out = np.empty((n_groups, values.shape[1]))
    counts = np.bincount(group, minlength=n_groups).astype(float)
    for j in range(values.shape[1]):
        column = values[:, j]
        missing = np.isnan(column)
        total = np.bincount(group, weights=np.where(missing, 0.0, column), minlength=n_groups)
        nan_count = np.bincount(group, weights=missing.astype(float), minlength=n_groups)
        result = np.where(nan_count > 0, np.nan, total)
        if (method == 1).any():
            result = np.where(method == 1, total / np.maximum(counts - nan_count, 1), result)
        if (method == 2).any():
            peak = np.full(n_groups, -np.inf)
            np.fmax.at(peak, group, column)
            result = np.where(method == 2, np.where(np.isinf(peak), np.nan, peak), result)
        out[:, j] = result
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() in ("", "nan",
                                                                                                     "None")
