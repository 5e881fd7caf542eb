"""Data envelopment analysis: efficiency, peers, slacks, targets and reserves of producing units.

Envelopment form (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984) for constant,
variable, decreasing or increasing returns to scale, input or output orientation, with the
two-phase maximal slacks, super-efficiency (Andersen & Petersen 1993) and non-discretionary inputs
(Banker & Morey 1986). Every column is scaled before any LP; every solve's status is checked, and
units whose LP is infeasible or unbounded get NaN and say so in ``status``.

Scores are computed in two stages (see :mod:`gosplan.engines.reserves.frame`): the frame of extreme
efficient units first, then every unit against that frame with batch-verified optimal bases (see
:mod:`gosplan.engines.reserves._batch`). ``method="lp"`` solves the full per-unit LP instead; both
give the same scores (the tests hold them to 1e-9).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse

from gosplan.engines.reserves._batch import BatchScores, score_units
from gosplan.engines.reserves._lp import ORIENTATIONS, RTS_CHOICES, EnvelopmentLP, column_scale
from gosplan.engines.reserves.frame import efficient_frame
from gosplan.errors import Problem, ValidationError
from gosplan.runner import Runner, chunk_bounds

# Up to this many reference units one LP per unit beats building the frame.
_SMALL = 500

Rts = Literal["crs", "vrs", "drs", "irs"]
Orientation = Literal["input", "output"]


@dataclass
class DEAResult:
    """Everything :func:`dea` finds, indexed by unit name.

    ``efficiency`` is 1 for efficient units and below 1 otherwise in both orientations: theta in input
    orientation, 1/phi in output orientation (with super-efficiency it can exceed 1). ``radial`` is the
    raw factor: theta (inputs can shrink to theta times) or phi (outputs can grow to phi times).
    ``status`` is ``optimal``, ``infeasible`` (no reference point exists, e.g. super-efficiency under
    VRS) or ``unbounded``; scores of non-optimal units are NaN.
    """

    names: pd.Index
    input_names: list[str]
    output_names: list[str]
    rts: str
    orientation: str
    radial: pd.Series
    status: pd.Series
    lambdas: sparse.csr_matrix  # evaluated units x reference units
    input_slack: pd.DataFrame
    output_slack: pd.DataFrame
    inputs: pd.DataFrame
    outputs: pd.DataFrame
    reference_names: pd.Index
    frame: np.ndarray  # positions (in the reference set) of the frame units
    lp_solves: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def efficiency(self) -> pd.Series:
        score = self.radial if self.orientation == "input" else 1.0 / self.radial
        return score.rename("efficiency")

    @property
    def slacks(self) -> pd.DataFrame:
        """Input slacks (excess) and output slacks (shortfall), one column per input and output."""
        return pd.concat([self.input_slack, self.output_slack], axis=1)

    @property
    def targets(self) -> pd.DataFrame:
        """The projection on the frontier: what each unit's inputs and outputs would be if efficient."""
        r = self.radial.to_numpy()[:, None]
        x, y = self.inputs.to_numpy(), self.outputs.to_numpy()
        disc = np.asarray(self.info.get("discretionary", np.ones(x.shape[1], bool)))
        # A non-discretionary input keeps its actual value: its slack is no saving the unit can make.
        slack_x = np.where(disc, self.input_slack.to_numpy(), 0.0)
        if self.orientation == "input":
            tx = np.where(disc, r * x, x) - slack_x
            ty = y + self.output_slack.to_numpy()
        else:
            tx = x - slack_x
            ty = r * y + self.output_slack.to_numpy()
        return pd.DataFrame(np.hstack([tx, ty]), index=self.names,
                            columns=[*self.input_names, *self.output_names])

    @property
    def output_reserve(self) -> pd.DataFrame:
        """How much more of each output the unit could make with what it has: target - actual."""
        return self.targets[self.output_names] - self.outputs

    @property
    def input_reserve(self) -> pd.DataFrame:
        """How much of each input the unit could save: actual - target (zero for non-discretionary inputs)."""
        return self.inputs - self.targets[self.input_names]

    @property
    def peers(self) -> pd.DataFrame:
        """Long table: ``unit``, ``peer``, ``weight`` (the lambdas), largest weight first per unit."""
        coo = self.lambdas.tocoo()
        frame = pd.DataFrame({"unit": self.names[coo.row], "peer": self.reference_names[coo.col],
                              "weight": coo.data, "_row": coo.row})
        frame = frame.sort_values(["_row", "weight"], ascending=[True, False], kind="stable")
        return frame.drop(columns="_row").reset_index(drop=True)

    @property
    def small_groups(self) -> pd.DataFrame:
        """Peer groups too small for DEA to discriminate: fewer units than ``max(m * s, 3 (m + s))``.

        The rule of thumb of Cooper, Seiford & Tone (*Data Envelopment Analysis*, 2nd ed., 2007,
        p. 116) for ``m`` inputs and ``s`` outputs. In a smaller group many units are efficient only
        because nothing comparable exists, so a score of 1 there says little. Columns: ``group``
        (None without groups), ``units``, ``needed``.

        >>> r = dea([[1.0], [2.0], [3.0]], [[1.0], [1.5], [3.0]])
        >>> r.small_groups.to_dict("records")
        [{'group': None, 'units': 3, 'needed': 6}]
        """
        s = len(self.output_names)
        groups = self.info.get("groups")
        labels = pd.Series(np.zeros(len(self.names), int) if groups is None else np.asarray(groups))
        # An input that is zero for every unit of a group (a condition measured in other sectors
        # only) constrains nothing there, so it does not count towards the group's m.
        used = pd.DataFrame(self.inputs.to_numpy() > 0).groupby(labels.to_numpy()).any().sum(axis=1)
        rows = []
        for g, k in labels.value_counts(sort=False).items():
            m = int(used.loc[g])
            needed = max(m * s, 3 * (m + s))
            if k < needed:
                rows.append({"group": None if groups is None else g, "units": int(k), "needed": needed})
        return pd.DataFrame(rows, columns=["group", "units", "needed"])

    def to_frame(self) -> pd.DataFrame:
        """One row per unit: efficiency, radial factor, status and the output reserves."""
        reserve = self.output_reserve.add_prefix("reserve_")
        return pd.concat([self.efficiency, self.radial.rename("radial"), self.status.rename("status"),
                          reserve], axis=1)


def dea(X: Any, Y: Any, rts: Rts = "crs", orientation: Orientation = "input",
        super_efficiency: bool = False, slacks: bool = True, names: Sequence[Any] | None = None,
        non_discretionary: Sequence[Any] | None = None, groups: Sequence[Any] | None = None,
        X_ref: Any = None, Y_ref: Any = None, method: Literal["auto", "frame", "lp"] = "auto",
        runner: Runner | None = None, chunk_size: int = 50_000) -> DEAResult:
    """Efficiency of each unit (rows of ``X`` inputs and ``Y`` outputs) against the best practice.

    Parameters
    ----------
    X, Y:
        Inputs and outputs, units by columns: arrays or DataFrames (their columns name the inputs
        and outputs, their index the units). Values must be finite and nonnegative, and each unit
        needs some positive input and some positive output.
    rts:
        Returns to scale: ``crs`` (CCR), ``vrs`` (BCC), ``drs`` (non-increasing) or ``irs``.
    orientation:
        ``input`` (how far inputs can shrink) or ``output`` (how far outputs can grow).
    super_efficiency:
        Leave each unit out of its own reference set (Andersen & Petersen 1993); efficient units then
        score above 1, and units without any feasible reference get NaN and status ``infeasible``.
    slacks:
        Run the second phase (maximal slack sum at the optimal radial factor, on scaled columns).
    names:
        Unit names (default: the index of ``X`` if a DataFrame, else 0..n-1).
    non_discretionary:
        Inputs the unit cannot change (names or positions, e.g. seam thickness, river inflow,
        soil): Banker & Morey (1986). They bound the reference point (no peer may enjoy better
        conditions than the unit, weighted) but are never contracted, their slacks are not
        maximised, and their target is the actual value (no "reserve" in them). In both
        orientations, under every returns to scale, with or without super-efficiency. A column that
        is zero for every unit of a group constrains nothing in that group.
    groups:
        One label per unit (e.g. the sector): each group is its own reference set.
    X_ref, Y_ref:
        Score the units against this reference set instead of against themselves (e.g. another
        period, for Malmquist indices).
    method:
        ``frame`` (two stages: the frame of extreme efficient units, then everyone against it with
        batch-verified bases), ``lp`` (one warm-started LP per unit over the whole reference set) or
        ``auto`` (``lp`` for reference sets of at most 500 units, where it is quicker, else ``frame``).
    runner, chunk_size:
        Score chunks of ``chunk_size`` units through a :class:`gosplan.runner.Runner` (local, process
        pool or Dask); without a runner everything runs here in one piece.

    Examples
    --------
    One input, one output, three units (the middle one is the best ratio):

    >>> r = dea([[2.0], [4.0], [8.0]], [[1.0], [4.0], [4.0]], rts="crs")
    >>> r.efficiency.round(3).tolist()
    [0.5, 1.0, 0.5]
    >>> r.peers.query("unit == 2")["peer"].tolist()
    [1]
    >>> float(r.output_reserve.iloc[0, 0])  # inputs shrink in input orientation; outputs only by slacks
    0.0
    >>> out = dea([[2.0], [4.0], [8.0]], [[1.0], [4.0], [4.0]], orientation="output")
    >>> out.output_reserve["output_0"].round(9).tolist()  # how much more each could make
    [1.0, 0.0, 4.0]
    """
    if rts not in RTS_CHOICES:
        raise ValueError(f"rts must be one of {RTS_CHOICES}, got {rts!r}")
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {ORIENTATIONS}, got {orientation!r}")
    if method not in ("auto", "frame", "lp"):
        raise ValueError(f"method must be 'auto', 'frame' or 'lp', got {method!r}")
    x_frame = _as_frame(X, "input", names)
    y_frame = _as_frame(Y, "output", x_frame.index)
    _validate(x_frame, y_frame, "X", "Y")
    own_reference = X_ref is None
    if own_reference:
        xr_frame, yr_frame = x_frame, y_frame
    else:
        if super_efficiency:
            raise ValueError("super_efficiency needs the units' own reference set (no X_ref/Y_ref)")
        if groups is not None:
            raise ValueError("groups cannot be combined with an explicit reference set")
        xr_frame = _as_frame(X_ref, "input", None, columns=x_frame.columns)
        yr_frame = _as_frame(Y_ref, "output", xr_frame.index, columns=y_frame.columns)
        _validate(xr_frame, yr_frame, "X_ref", "Y_ref")
    disc = np.ones(x_frame.shape[1], bool)
    for item in non_discretionary or []:
        if isinstance(item, (int, np.integer)):
            pos = int(item)
        elif item in x_frame.columns:
            pos = x_frame.columns.get_loc(item)
        else:
            raise ValueError(f"non_discretionary names {item!r}, which is not an input; inputs: "
                             f"{', '.join(map(str, x_frame.columns))}")
        disc[pos] = False
    if not disc.any() and orientation == "input":
        raise ValueError("input orientation needs at least one discretionary input")

    labels = np.zeros(len(x_frame), dtype=int) if groups is None else pd.factorize(np.asarray(groups))[0]
    if groups is not None and len(labels) != len(x_frame):
        raise ValueError(f"groups has {len(labels)} labels for {len(x_frame)} units")
    n, n_ref = len(x_frame), len(xr_frame)
    radial = np.full(n, np.nan)
    status = np.full(n, "", dtype=object)
    in_slack = np.full((n, x_frame.shape[1]), np.nan)
    out_slack = np.full((n, y_frame.shape[1]), np.nan)
    blocks: list[sparse.coo_matrix] = []
    frames: list[np.ndarray] = []
    lp_solves = 0
    for label in np.unique(labels):
        units = np.flatnonzero(labels == label)
        ref = units if own_reference else np.arange(n_ref)
        X_e, Y_e = x_frame.to_numpy(float)[units], y_frame.to_numpy(float)[units]
        X_r, Y_r = xr_frame.to_numpy(float)[ref], yr_frame.to_numpy(float)[ref]
        scale = column_scale(np.vstack([np.hstack([X_e, Y_e]), np.hstack([X_r, Y_r])]))
        sx, sy = scale[: X_e.shape[1]], scale[X_e.shape[1] :]
        group = _score_group(X_e / sx, Y_e / sy, X_r / sx, Y_r / sy, rts, orientation, disc, slacks,
                             super_efficiency and own_reference, method, runner, chunk_size)
        radial[units] = group.scores.radial
        status[units] = group.scores.status
        in_slack[units] = group.scores.input_slack * sx
        out_slack[units] = group.scores.output_slack * sy
        coo = group.scores.lambdas.tocoo()
        blocks.append(sparse.coo_matrix((coo.data, (units[coo.row], ref[coo.col])), shape=(n, n_ref)))
        frames.append(ref[group.frame])
        lp_solves += group.scores.lp_solves
    lambdas = sum(blocks[1:], blocks[0]).tocsr() if blocks else sparse.csr_matrix((n, n_ref))
    idx = x_frame.index
    return DEAResult(
        names=idx, input_names=[str(c) for c in x_frame.columns],
        output_names=[str(c) for c in y_frame.columns],
        rts=rts, orientation=orientation,
        radial=pd.Series(radial, index=idx, name="radial"), status=pd.Series(status.astype(str), index=idx,
                                                                            name="status"),
        lambdas=lambdas,
        input_slack=pd.DataFrame(in_slack, index=idx, columns=x_frame.columns),
        output_slack=pd.DataFrame(out_slack, index=idx, columns=y_frame.columns),
        inputs=x_frame.astype(float), outputs=y_frame.astype(float), reference_names=xr_frame.index,
        frame=np.sort(np.concatenate(frames)) if frames else np.empty(0, int), lp_solves=lp_solves,
        info={"discretionary": disc, "method": method, "slacks": slacks, "super_efficiency": super_efficiency,
              "groups": None if groups is None else np.asarray(groups)},
    )


@dataclass
class _Group:
    scores: BatchScores
    frame: np.ndarray


def _score_group(X: np.ndarray, Y: np.ndarray, X_r: np.ndarray, Y_r: np.ndarray, rts: str, orientation: str,
                 disc: np.ndarray, slacks: bool, super_eff: bool, method: str, runner: Runner | None,
                 chunk_size: int) -> _Group:
    if method == "auto":
        method = "lp" if len(X_r) <= _SMALL else "frame"
    frame = np.arange(len(X_r)) if method == "lp" else efficient_frame(X_r, Y_r, rts, runner)
    Xf, Yf = X_r[frame], Y_r[frame]
    if runner is None or len(X) <= chunk_size:
        scores = _score_chunk((Xf, Yf, X, Y, rts, orientation, disc, slacks, method))
    else:
        chunks = [(Xf, Yf, X[a:b], Y[a:b], rts, orientation, disc, slacks, method)
                  for a, b in chunk_bounds(len(X), chunk_size)]
        scores = _concat(runner.map(_score_chunk, chunks, description="scoring units"))
    lambdas = sparse.csr_matrix(
        (scores.lambdas.data, frame[scores.lambdas.indices], scores.lambdas.indptr), shape=(len(X), len(X_r))
    )
    scores.lambdas = lambdas
    if super_eff:
        _super_efficiency(scores, X, Y, rts, orientation, disc, slacks, candidates=frame)
    return _Group(scores, frame)


def _score_chunk(args: tuple) -> BatchScores:
    """Score one chunk of units against the frame (top level so process pools and Dask can pickle it)."""
    Xf, Yf, X, Y, rts, orientation, disc, slacks, method = args
    lp = EnvelopmentLP(Xf, Yf, rts=rts, orientation=orientation, discretionary=disc, slacks=slacks)
    if method == "lp":
        return _per_unit(lp, X, Y, slacks)
    return score_units(lp, X, Y, slacks=slacks)


def _per_unit(lp: EnvelopmentLP, X: np.ndarray, Y: np.ndarray, slacks: bool,
              skip: np.ndarray | None = None) -> BatchScores:
    """The reference method: one warm-started HiGHS solve per unit (``skip[k]``: leave column k out)."""
    k = len(X)
    status = np.empty(k, dtype=object)
    radial = np.full(k, np.nan)
    sx = np.full((k, lp.m), np.nan)
    sy = np.full((k, lp.s), np.nan)
    rows, cols, vals = [], [], []
    for o in range(k):
        if skip is not None:
            lp.exclude(int(skip[o]) if skip[o] >= 0 else None)
        sol = lp.solve(X[o], Y[o], slacks=slacks)
        status[o], radial[o] = sol.status, sol.radial
        if sol.status == "optimal":
            sx[o], sy[o] = sol.input_slack, sol.output_slack
            nz = np.flatnonzero(sol.weights > 0)
            rows.append(np.full(len(nz), o))
            cols.append(nz)
            vals.append(sol.weights[nz])
    if skip is not None:
        lp.exclude(None)
    lam = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(k, lp.n_ref)) if rows else sparse.csr_matrix((k, lp.n_ref))
    return BatchScores(status.astype(str), radial, lam, sx, sy, k)


def _super_efficiency(scores: BatchScores, X: np.ndarray, Y: np.ndarray, rts: str, orientation: str,
                      disc: np.ndarray, slacks: bool, candidates: np.ndarray) -> None:
    """Rescore the frame units without themselves; the others keep their score.

    A unit outside the frame does not span the technology, so leaving it out changes nothing. A frame
    unit is rescored by a full LP over all other units (the frame of the rest can contain units the
    left-out one had hidden).
    """
    lp = EnvelopmentLP(X, Y, rts=rts, orientation=orientation, discretionary=disc, slacks=slacks)
    again = _per_unit(lp, X[candidates], Y[candidates], slacks, skip=candidates)
    lam = scores.lambdas.tolil()
    scores.status = scores.status.astype(object)  # "infeasible" must not be cut to the width of "optimal"
    for pos, unit in enumerate(candidates):
        scores.status[unit] = again.status[pos]
        scores.radial[unit] = again.radial[pos]
        scores.input_slack[unit] = again.input_slack[pos]
        scores.output_slack[unit] = again.output_slack[pos]
        lam[unit] = again.lambdas[pos]
    scores.lambdas = lam.tocsr()
    scores.lp_solves += again.lp_solves


def _concat(parts: list[BatchScores]) -> BatchScores:
    return BatchScores(
        np.concatenate([p.status for p in parts]), np.concatenate([p.radial for p in parts]),
        sparse.vstack([p.lambdas for p in parts]).tocsr(), np.vstack([p.input_slack for p in parts]),
        np.vstack([p.output_slack for p in parts]), sum(p.lp_solves for p in parts),
    )


def _as_frame(data: Any, kind: str, index: Any, columns: Any = None) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        if index is not None:
            frame.index = pd.Index(index)
        return frame
    array = np.asarray(data, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{kind}s must be a 2-d table (units x {kind}s)")
    cols = columns if columns is not None else [f"{kind}_{i}" for i in range(array.shape[1])]
    return pd.DataFrame(array, index=pd.Index(index) if index is not None else None, columns=cols)


def _validate(x: pd.DataFrame, y: pd.DataFrame, x_name: str, y_name: str) -> None:
    problems: list[Problem] = []
    if len(x) != len(y):
        raise ValueError(f"{x_name} has {len(x)} units but {y_name} has {len(y)}")
    for frame, name, what in ((x, x_name, "input"), (y, y_name, "output")):
        values = frame.to_numpy(dtype=float)
        for row, col in zip(*np.nonzero(~np.isfinite(values) | (values < 0)), strict=True):
            problems.append(Problem(name, int(row) + 2, str(frame.columns[col]),
                                    f"{what} must be finite and nonnegative, got {values[row, col]!r}"))
        for row in np.flatnonzero((np.nan_to_num(values) <= 0).all(axis=1)):
            reason = f"unit {frame.index[row]!r} has no positive {what}"
            problems.append(Problem(name, int(row) + 2, None, reason))
    if problems:
        raise ValidationError(problems)
