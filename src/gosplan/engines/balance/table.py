"""The input-output table: Leontief quantities, Ghosh supply side, multipliers and linkages.

Names and conventions follow Miller & Blair, *Input-Output Analysis* (2nd ed., 2009): ``Z`` flows,
``x`` gross output, ``A = Z diag(x)^-1`` technical coefficients, ``L = (I - A)^-1`` the Leontief
inverse, ``B = diag(x)^-1 Z`` allocation coefficients and ``G = (I - B)^-1`` the Ghosh inverse (not
transposed). Nothing here forms ``L`` unless :meth:`IOTable.leontief_inverse` is called: every
quantity is one solve with ``I - A`` or its transpose.

>>> t = IOTable.from_flows([[150, 500], [200, 100]], [1000, 2000], labels=["agri", "manuf"])
>>> t.solve([1000, 0]).round(1).tolist()
[1254.1, 264.0]
>>> t.multipliers("output").round(3).tolist()
[1.518, 1.452]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.engines.balance.dense import ScaledDense, dense_values, keep_dense, scale_columns
from gosplan.engines.balance.solvers import (
    DENSE_LIMIT,
    LeontiefSolver,
    Method,
    as_sparse,
    coefficient_operator,
    dense_to_sparse,
)
from gosplan.runner import Runner, chunk_bounds

if TYPE_CHECKING:
    from gosplan.engines.balance.check import TableCheck
    from gosplan.engines.balance.lp import PlanBalance

Vector = Sequence[float] | np.ndarray | pd.Series | Mapping[str, float]
MultiplierKind = Literal["output", "income", "value_added", "employment"]
KEY_CLASSES: tuple[str, ...] = ("key", "backward-oriented", "forward-oriented", "weak")


def _vector(values: Any, n: int, labels: pd.Index, name: str, default: float | None = None) -> np.ndarray:
    """A length-n float vector from a sequence, Series/mapping keyed by labels, or a DataFrame (row sums)."""
    if values is None:
        if default is None:
            raise ValueError(f"{name} is required")
        return np.full(n, default, dtype=np.float64)
    if isinstance(values, pd.DataFrame):
        values = values.sum(axis=1)
    if isinstance(values, Mapping) and not isinstance(values, pd.Series):
        values = pd.Series(values, dtype=np.float64)
    if isinstance(values, pd.Series) and not isinstance(values.index, pd.RangeIndex):
        unknown = values.index.difference(labels)
        if len(unknown):
            raise ValueError(f"{name}: unknown sectors {list(unknown[:5])}")
        return values.reindex(labels, fill_value=0.0).to_numpy(dtype=np.float64)
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2:
        array = array.sum(axis=1)
    if array.shape != (n,):
        raise ValueError(f"{name} must have {n} entries, got shape {array.shape}")
    return array


@dataclass(frozen=True)
class KeySectors:
    """Key-sector summary (Rasmussen/Hirschman, normalised indices above 1 mean above average).

    ``table`` is :meth:`IOTable.linkages`; the lists name the sectors of each class, strongest first.
    """

    table: pd.DataFrame
    key: list[str]
    backward_oriented: list[str]
    forward_oriented: list[str]
    weak: list[str]

    def summary(self) -> str:
        """One paragraph a plenum can read."""
        n = len(self.table)
        names = ", ".join(map(str, self.key[:8])) + (" ..." if len(self.key) > 8 else "")
        return (
            f"{len(self.key)} of {n} sectors are key sectors (above-average backward and forward linkage)"
            f"{': ' + names if self.key else ''}; {len(self.backward_oriented)} pull mainly on their "
            f"suppliers, {len(self.forward_oriented)} mainly supply others, "
            f"{len(self.weak)} are weakly linked."
        )


class IOTable:
    """An input-output table (Leontief demand side, Ghosh supply side).

    Build it with :meth:`from_flows` or :meth:`from_coefficients`. Optional satellite vectors
    (value added, imports, employment, household income and consumption) unlock the matching
    multipliers. ``method`` picks the linear solver (see :mod:`gosplan.engines.balance.solvers`).
    """

    def __init__(
        self,
        A: Any,
        labels: Sequence[Any] | None = None,
        *,
        x: Vector | None = None,
        final_demand: Any = None,
        value_added: Vector | None = None,
        imports: Vector | None = None,
        employment: Vector | None = None,
        income: Vector | None = None,
        household_consumption: Vector | None = None,
        Z: Any = None,
        name: str = "table",
        method: Method = "auto",
    ) -> None:
        # the solvers' representation: sparse, or the user's dense array kept as it is (see dense.py);
        # the sparse ``A`` other analyses read is made from it on first use
        self._operator = coefficient_operator(A)
        self._A: sp.csc_array | sp.csr_array | None = (
            None if isinstance(self._operator, ScaledDense) else self._operator
        )
        n = self._operator.shape[0]
        if self._operator.shape != (n, n):
            raise ValueError(f"A must be square, got {self._operator.shape}")
        self.n = n
        self.labels = pd.Index(labels if labels is not None else range(n), name="sector")
        if len(self.labels) != n:
            raise ValueError(f"{len(self.labels)} labels for {n} sectors")
        self.name = name
        self.method: Method = method
        self._solver: LeontiefSolver | None = None
        self._Z_held = Z
        self._Z: sp.csc_array | sp.csr_array | None = None
        self.final_demand_detail = final_demand if isinstance(final_demand, pd.DataFrame) else None
        opt = {
            "x": x,
            "final_demand": final_demand,
            "value_added": value_added,
            "imports": imports,
            "employment": employment,
            "income": income,
            "household_consumption": household_consumption,
        }
        vectors = {k: None if v is None else _vector(v, n, self.labels, k) for k, v in opt.items()}
        self.y: np.ndarray | None = vectors["final_demand"]
        self.x: np.ndarray | None = vectors["x"]
        if self.x is None and self.y is not None:
            self.x = self.solve(self.y).to_numpy()
        self.value_added = vectors["value_added"]
        self.imports = vectors["imports"]
        self.employment = vectors["employment"]
        self.income = vectors["income"]
        self.household_consumption = vectors["household_consumption"]

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_flows(
        cls,
        Z: Any,
        x: Vector | None = None,
        *,
        final_demand: Any = None,
        labels: Sequence[Any] | None = None,
        **satellites: Any,
    ) -> IOTable:
        """Table from intermediate flows ``Z`` (row i sells to column j) and gross output ``x``.

        ``x`` defaults to row sums of ``Z`` plus final demand. Sectors with zero output get zero
        coefficients (``check()`` reports them). ``Z`` may be a DataFrame, ndarray or scipy.sparse.
        """
        if labels is None and isinstance(Z, pd.DataFrame):
            labels = Z.index
        values = dense_values(Z)
        held: np.ndarray | sp.csc_array | sp.csr_array
        if values is not None and keep_dense(values, DENSE_LIMIT):
            held = values  # kept dense, not copied: A = Z diag(1/x) is applied, never formed
            row_sums = values.sum(axis=1)
        else:
            held = as_sparse(Z) if values is None else dense_to_sparse(values)
            row_sums = np.asarray(held.sum(axis=1)).ravel()
        n = held.shape[0]
        index = pd.Index(labels if labels is not None else range(n))
        if x is None:
            y = _vector(final_demand, n, index, "final_demand")
            xs = row_sums + y
        else:
            xs = _vector(x, n, index, "x")
        with np.errstate(divide="ignore"):
            scale = np.where(xs != 0, 1.0 / np.where(xs != 0, xs, 1.0), 0.0)
        A = ScaledDense(held, scale) if isinstance(held, np.ndarray) else scale_columns(held, scale)
        table = cls(A, labels=labels, x=xs, **satellites, Z=held)
        if final_demand is not None:
            table.final_demand_detail = final_demand if isinstance(final_demand, pd.DataFrame) else None
            table.y = _vector(final_demand, n, table.labels, "final_demand")
        else:
            table.y = xs - row_sums
        return table

    @classmethod
    def from_coefficients(cls, A: Any, *, labels: Sequence[Any] | None = None, **kwargs: Any) -> IOTable:
        """Table from technical coefficients ``A`` (dense, DataFrame or scipy.sparse).

        Gross output is derived when ``final_demand`` is given.
        """
        if labels is None and isinstance(A, pd.DataFrame):
            labels = A.index
        return cls(A, labels=labels, **kwargs)

    # -- basic quantities ------------------------------------------------------------------------
    @property
    def A(self) -> sp.csc_array | sp.csr_array:
        """Technical coefficients as scipy.sparse (compressed on first use when the table is held dense)."""
        if self._A is None:
            operator = self._operator
            self._A = operator.tosparse() if isinstance(operator, ScaledDense) else operator
        return self._A

    @property
    def Z(self) -> sp.csc_array | sp.csr_array | None:
        """Intermediate flows as scipy.sparse, when the table was built from flows."""
        if self._Z is None and self._Z_held is not None:
            held = self._Z_held
            self._Z = held if sp.issparse(held) else as_sparse(held)
        return self._Z

    @property
    def dense(self) -> bool:
        """Whether the solvers work on the dense array the table was given (see ``docs/balance.md``)."""
        return isinstance(self._operator, ScaledDense)

    @property
    def solver(self) -> LeontiefSolver:
        if self._solver is None:
            self._solver = LeontiefSolver(self._operator, method=self.method)
        return self._solver

    def _series(self, values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(values, index=self.labels, name=name)

    def _require(self, attribute: str, hint: str) -> np.ndarray:
        value = getattr(self, attribute)
        if value is None:
            raise ValueError(f"this table has no {attribute.replace('_', ' ')}; {hint}")
        return value

    def solve(self, y: Any = None) -> pd.Series:
        """Gross output ``x`` with ``x = A x + y`` for final demand ``y`` (the table's own by default)."""
        y_vec = self._require("y", "pass final demand") if y is None else _vector(y, self.n, self.labels, "y")
        return self._series(self.solver.solve(y_vec), "output")

    def solve_many(self, Y: Any, runner: Runner | None = None, chunk_size: int = 64) -> pd.DataFrame:
        """Gross output for many demand scenarios (columns of ``Y``), in chunks through ``runner``."""
        if isinstance(Y, pd.DataFrame):
            frame = Y if isinstance(Y.index, pd.RangeIndex) else Y.reindex(self.labels, fill_value=0.0)
        else:
            frame = pd.DataFrame(np.asarray(Y, dtype=np.float64))
        values = frame.to_numpy(dtype=np.float64)
        chunks = [(self._operator, self.method, values[:, a:b]) for a, b in chunk_bounds(values.shape[1], chunk_size)]
        parts = (runner or Runner()).map(_solve_chunk, chunks, description="demand scenarios")
        out = np.hstack(parts) if parts else np.zeros((self.n, 0))
        return pd.DataFrame(out, index=self.labels, columns=frame.columns)

    def leontief_inverse(self) -> pd.DataFrame:
        """The dense Leontief inverse ``L``; refused with a clear error for huge n (use :meth:`solve`)."""
        return pd.DataFrame(self.solver.inverse(), index=self.labels, columns=self.labels)

    def ghosh_inverse(self) -> pd.DataFrame:
        """The dense Ghosh inverse ``G = diag(x)^-1 L diag(x)``."""
        x = self._require("x", "build it with gross output")
        L = self.solver.inverse()
        with np.errstate(divide="ignore", invalid="ignore"):
            G = np.where(x[:, None] != 0, L * x[None, :] / np.where(x != 0, x, 1.0)[:, None], 0.0)
        return pd.DataFrame(G, index=self.labels, columns=self.labels)

    def coefficients(self, satellite: str) -> np.ndarray:
        """Direct coefficients per unit of output of a satellite vector (``value_added``, ``income``...)."""
        values = self._require(satellite, f"pass {satellite}= when building the table")
        x = self._require("x", "coefficients need gross output")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x != 0, values / np.where(x != 0, x, 1.0), 0.0)

    # -- multipliers ----------------------------------------------------------------------------
    def multipliers(
        self, kind: MultiplierKind = "output", variant: Literal["simple", "I", "II"] = "I"
    ) -> pd.Series:
        """Multipliers per unit of final demand of each sector (Miller & Blair ch. 6).

        ``output``: column sums of ``L`` (type I) or of the household-closed inverse (type II).
        ``income``, ``value_added``, ``employment``: ``simple`` is ``c'L`` (total content per unit of
        final demand), type I divides it by the direct coefficient, type II uses the model closed with
        respect to households (needs ``income`` and ``household_consumption``).
        """
        if kind == "output":
            if variant == "II":
                return self._series(self._closed_solve(np.ones(self.n))[: self.n], "output_II")
            return self._series(self.solver.solve(np.ones(self.n), transpose=True), "output")
        if kind not in ("income", "value_added", "employment"):
            raise ValueError(f"kind must be output, income, value_added or employment, got {kind!r}")
        c = self.coefficients(kind)
        total = self._closed_solve(c)[: self.n] if variant == "II" else self.solver.solve(c, transpose=True)
        if variant == "simple":
            return self._series(total, f"{kind}_simple")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(c != 0, total / np.where(c != 0, c, 1.0), np.nan)
        return self._series(ratio, f"{kind}_{variant}")

    def _closed_solve(self, c: np.ndarray) -> np.ndarray:
        """``c' Lbar`` for the model closed with respect to households (row: income, column: consumption)."""
        h = self.coefficients("income")
        consumption = self._require("household_consumption", "pass household_consumption=")
        total_income = self._require("income", "pass income=").sum()
        hc = consumption / total_income if total_income else consumption * 0.0
        closed = sp.block_array(
            [[self.A, sp.csc_array(hc[:, None])], [sp.csc_array(h[None, :]), None]], format="csc"
        )
        solver = LeontiefSolver(closed, method=self.method)
        return solver.solve(np.concatenate([c, [0.0]]), transpose=True)

    # -- linkages -------------------------------------------------------------------------------
    def linkages(self) -> pd.DataFrame:
        """Backward and forward linkages, normalised indices and the key-sector class.

        ``backward``: column sums of ``L`` (Rasmussen); ``forward``: row sums of the Ghosh inverse
        ``G`` (Miller & Blair sec. 12.2, the supply-side convention), computed as ``(L x)_i / x_i``;
        ``forward_leontief``: row sums of ``L`` (Rasmussen's sensitivity of dispersion). Indices divide
        by the mean so 1 is average. ``class``: key (both > 1), backward-oriented, forward-oriented, weak.
        """
        x = self._require("x", "linkages need gross output")
        solver = self.solver
        # L [x, 1] and 1'L together: GMRES runs the three in lockstep (one pass over a dense A each step)
        block, backward = solver.solve_pair(np.column_stack([x, np.ones(self.n)]), np.ones(self.n))
        lx, forward_leontief = block.T
        with np.errstate(divide="ignore", invalid="ignore"):
            forward = np.where(x != 0, lx / np.where(x != 0, x, 1.0), 1.0)
        b_index = backward / backward.mean()
        f_index = forward / forward.mean()
        klass = np.select(
            [(b_index > 1) & (f_index > 1), b_index > 1, f_index > 1],
            list(KEY_CLASSES[:3]),
            default=KEY_CLASSES[3],
        )
        return pd.DataFrame(
            {
                "backward": backward,
                "forward": forward,
                "forward_leontief": forward_leontief,
                "backward_index": b_index,
                "forward_index": f_index,
                "forward_leontief_index": forward_leontief / forward_leontief.mean(),
                "class": klass,
            },
            index=self.labels,
        )

    def key_sectors(self, linkages: pd.DataFrame | None = None) -> KeySectors:
        """:class:`KeySectors` from :meth:`linkages` (pass its result to avoid recomputing it), each class
        ordered by the sum of both indices."""
        table = self.linkages() if linkages is None else linkages
        strength = (table["backward_index"] + table["forward_index"]).sort_values(ascending=False)
        ordered = table.loc[strength.index, "class"]
        members = {c: [str(s) for s in ordered.index[ordered == c]] for c in KEY_CLASSES}
        return KeySectors(
            table, members["key"], members["backward-oriented"], members["forward-oriented"], members["weak"]
        )

    def import_dependency(self) -> pd.DataFrame:
        """Direct import coefficient ``m_j = M_j / x_j`` and total import content ``(m'L)_j``.

        Total content is the imports needed, directly and through domestic suppliers, per unit of
        final demand for sector j (needs ``imports=``, the imported intermediate inputs per sector).
        """
        direct = self.coefficients("imports")
        total = self.solver.solve(direct, transpose=True)
        return pd.DataFrame({"direct": direct, "total": total}, index=self.labels)

    # -- delegated analyses ---------------------------------------------------------------------
    def check(self, **kwargs: Any) -> TableCheck:
        """Explain what is wrong with the table before any solve (see :func:`check_table`)."""
        from gosplan.engines.balance.check import check_table

        return check_table(self, **kwargs)

    def extraction(
        self,
        groups: Mapping[str, Sequence[Any]] | None = None,
        runner: Runner | None = None,
        chunk_size: int = 16,
    ) -> pd.DataFrame:
        """Hypothetical extraction for every sector, or for named groups of sectors."""
        from gosplan.engines.balance.extraction import extract

        return extract(self, groups=groups, runner=runner, chunk_size=chunk_size)

    def shock(
        self,
        capacity: Vector | None = None,
        *,
        final_demand: Vector | None = None,
        value_added: Vector | None = None,
    ) -> pd.DataFrame:
        """Supply shocks: sectors held at a capacity (mixed model) or a primary-input change (Ghosh)."""
        from gosplan.engines.balance.shocks import shock

        return shock(self, capacity=capacity, final_demand=final_demand, value_added=value_added)

    def balance_plan(self, targets: Vector, **kwargs: Any) -> PlanBalance:
        """LP plan balancing within capacities and resources (see :func:`balance_plan`)."""
        from gosplan.engines.balance.lp import balance_plan

        return balance_plan(self, targets, **kwargs)

    def __repr__(self) -> str:
        held = "dense" if self.dense else f"nnz={self.A.nnz}"
        return f"IOTable(name={self.name!r}, n={self.n}, {held}, method={self.method!r})"


def _solve_chunk(item: tuple[Any, str, np.ndarray]) -> np.ndarray:
    """Worker for :meth:`IOTable.solve_many` (module level so process pools and Dask can pickle it)."""
    A, method, Y = item
    return LeontiefSolver(A, method=method).solve(Y)
