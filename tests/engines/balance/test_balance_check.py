"""check(): every kind of defect is found and names the sector."""

from __future__ import annotations

import numpy as np
import pytest

from gosplan.balance import IOTable, read_oecd_csv
from gosplan.errors import ValidationError


def reasons(report) -> dict[str | None, str]:
    return {p.column: p.reason for p in [*report.errors, *report.warnings]}


def test_clean_table_is_ok() -> None:
    report = IOTable.from_flows([[150, 500], [200, 100]], [1000, 2000], labels=["a", "m"]).check()
    assert report.ok and not report.warnings
    report.raise_for_errors()


def test_negative_flow_and_nan() -> None:
    t = IOTable.from_flows([[10, -5], [2, 3]], [100, 100], labels=["coal", "steel"])
    report = t.check()
    assert not report.ok
    assert "negative" in reasons(report)["steel"]
    t = IOTable.from_coefficients([[0.1, np.nan], [0.2, 0.1]], labels=["coal", "steel"])
    assert "NaN" in reasons(t.check())["steel"]


def test_zero_output_and_row_balance() -> None:
    t = IOTable.from_flows(
        [[10, 0, 5], [0, 0, 0], [5, 0, 10]],
        [100, 0, 100],
        final_demand=[85, 0, 70],
        labels=["coal", "mines", "steel"],
    )
    found = reasons(t.check())
    assert "zero gross output" in found["mines"]
    assert "row balance residual" in found["steel"]  # 100 - 15 - 70 = 15 % of output unexplained


def test_non_productive_matrix_found_by_spectral_radius() -> None:
    # every column sum is below 1 except one, and the matrix is still not productive
    A = np.array([[0.5, 1.2], [0.3, 0.5]])
    report = IOTable.from_coefficients(A, labels=["coal", "steel"]).check()
    assert report.spectral_radius == pytest.approx(0.5 + np.sqrt(0.36))
    assert any("not productive" in p.reason for p in report.errors)
    with pytest.raises(ValidationError, match=r"column sum of A is 1\.7"):
        report.raise_for_errors()


def test_belgium_warnings_only(data_dir) -> None:
    report = read_oecd_csv(data_dir / "BEL2020ttl.csv", domestic=False).check()
    assert report.ok
    frame = report.to_frame()
    assert set(frame["sector"]) == {"D09", "D301"}  # README: total-flow residuals up to about 2.7 %
    # the domestic split scales each row by its domestic share, and the residuals with it
    assert read_oecd_csv(data_dir / "BEL2020ttl.csv").check().to_frame().empty
