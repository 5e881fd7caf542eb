from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "reserves"


def load(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(DATA / f"{name}_inputs.csv"), pd.read_csv(DATA / f"{name}_outputs.csv")


def reference(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def cobb_douglas(n: int, seed: int, inputs: int = 3, outputs: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Units on a Cobb-Douglas frontier with half-normal inefficiency and a random output mix."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(10, 20, (n, inputs))
    frontier = np.prod(X ** (0.9 / inputs), axis=1)
    mix = rng.dirichlet(np.ones(outputs), n)
    Y = mix * (frontier * np.exp(-np.abs(rng.normal(0, 0.3, n))))[:, None]
    return X, Y


@pytest.fixture(scope="session")
def charnes() -> tuple[pd.DataFrame, pd.DataFrame]:
    return load("charnes")
