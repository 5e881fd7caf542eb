"""The demo economy's tables for the later engines: campaign, weather, farms and housing projects.

The housing projects follow the 2021-2025 plan's programme of 10,000 flats a year in Pyongyang
(Songhwa Street 2022, Hwasong district phase 1 2023, phase 2 2024; FIGURES.md, KCNA) plus rural
housing; budgets are plausible inventions in million won.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.model import month_label, month_ordinal

from .activity import LAST_MONTH
from .catalogue import FARMS
from .figures import CAMPAIGN_JOINS, CAMPAIGN_START, WEATHER_EVENTS

CAMPAIGN = "coal-innovation-2023"

# Grain yield (t per ha) and irrigated share of the crop area by province.
_YIELD = {"KP-01": 3.3, "KP-02": 3.4, "KP-03": 3.3, "KP-04": 2.4, "KP-05": 3.7, "KP-06": 3.2, "KP-07": 2.8,
          "KP-08": 3.0, "KP-09": 2.5, "KP-10": 2.1, "KP-13": 2.6, "KP-14": 3.5}
_IRRIGATED = {"KP-01": 0.60, "KP-02": 0.60, "KP-03": 0.55, "KP-04": 0.20, "KP-05": 0.65, "KP-06": 0.50,
              "KP-07": 0.40, "KP-08": 0.40, "KP-09": 0.25, "KP-10": 0.10, "KP-13": 0.30, "KP-14": 0.60}

# code, name, unit, budget (million won), start, planned_end, dwellings, schedule slip (1 = on time).
_PROJECTS: list[tuple[str, str, str, float, str, str, int, float]] = [
    ("songhwa", "Songhwa Street, 10,000 flats", "bld.pyongyang", 480_000, "2021-03", "2022-04", 10_000, 1.0),
    ("hwasong-1", "Hwasong district phase 1, 10,000 flats", "bld.hwasong", 520_000, "2022-02", "2023-04",
     10_000, 1.0),
    ("hwasong-2", "Hwasong district phase 2, 10,000 flats", "bld.hwasong", 560_000, "2023-02", "2024-04",
     10_000, 1.0),
    ("samjiyon-3", "Samjiyon city phase 3, 1,500 dwellings", "bld.ryanggang", 60_000, "2021-02", "2021-12",
     1_500, 1.0),
    ("rural-shwanghae", "Rural housing in South Hwanghae, 3,000 dwellings", "bld.shwanghae", 45_000,
     "2022-03", "2023-06", 3_000, 0.72),
    ("rural-npyongan", "Rural housing in North Pyongan, 2,000 dwellings", "bld.npyongan", 30_000, "2022-09",
     "2023-10", 2_000, 0.85),
]
# Share of the schedule elapsed, milestone, cumulative share of budget; rural dwellings are handed
# over in batches from the finishing works on, flats in the capital all at once.
_MILESTONES = [(0.0, "groundbreaking", 0.0), (0.25, "foundations complete", 0.20),
               (0.55, "frames topped out", 0.55), (0.85, "finishing works", 0.85), (1.0, "handover", 1.0)]


def campaign_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    campaigns = pd.DataFrame([(
        CAMPAIGN, "coal.kujang", CAMPAIGN_START, "coal",
        "Massive innovation movement started by the miners of the Kujang Area Coal Mining Complex in "
        "January 2023; mines that join raise output per worker by about 6 %.",
        "2023년 1월 구장지구탄광련합기업소 탄부들이 시작한 대중적 기술혁신운동. 참가한 탄광은 노동자 1인당 생산을 "
        "6 %쯤 높인다.")],
        columns=["name", "origin_unit", "start", "indicator", "description", "description_ko"])
    rows = [(CAMPAIGN, unit, month) for month, units in CAMPAIGN_JOINS.items() for unit in units]
    members = pd.DataFrame(rows, columns=["campaign", "unit", "joined"])
    return campaigns, members


def weather_frame() -> pd.DataFrame:
    return pd.DataFrame([(e.province, e.period, e.kind, e.severity, e.description, WEATHER_EVENTS_KO.get(
        (e.province, e.period))) for e in WEATHER_EVENTS],
        columns=["province", "period", "kind", "severity", "description", "description_ko"])


#: The weather events and the projects in Korean, keyed as above.
WEATHER_EVENTS_KO: dict[tuple[str, str], str] = {
    ("KP-10", "2021-05"): "량강도의 늦은 봄서리가 감자 모를 해침",
    ("KP-08", "2021-08"): "함경남도의 폭우와 큰물로 밭과 제방이 씻겨 나감",
    ("KP-05", "2022-05"): "서해안의 봄가뭄으로 황해남도의 밀과 보리 소출이 줄어듦",
    ("KP-02", "2022-05"): "서해안의 봄가뭄으로 평안남도의 앞그루 소출이 줄어듦",
    ("KP-07", "2022-08"): "태풍 비로 강원도 해안 벌방이 물에 잠김",
    ("KP-05", "2023-05"): "황해남도의 봄가뭄: 4월부터 비가 적고 저수지 수위가 낮음",
    ("KP-05", "2023-06"): "황해남도의 봄가뭄이 이어짐. 밀, 보리, 감자 앞그루 소출이 줄어듦",
}
PROJECT_NAMES_KO: dict[str, str] = {
    "songhwa": "송화거리 살림집 1만 세대", "hwasong-1": "화성지구 1단계 살림집 1만 세대",
    "hwasong-2": "화성지구 2단계 살림집 1만 세대", "samjiyon-3": "삼지연시 3단계 살림집 1,500세대",
    "rural-shwanghae": "황해남도 농촌 살림집 3,000세대", "rural-npyongan": "평안북도 농촌 살림집 2,000세대",
    "kimchaek-modern": "김책제철련합기업소: 전로와 압연기 현대화",
    "orangchon-modern": "어랑천발전소: 타빈과 발전기 교체",
    "coal-combustion": "연구: 전력 kWh당 석탄을 5 % 덜 쓰는 무연탄 연소",
}


def farms_frame(rng: np.random.Generator, targets: pd.DataFrame) -> pd.DataFrame:
    """Crop area from each farm's grain plans and its province's yield; irrigated share by province."""
    grain = targets[targets["indicator"] == "grain"].groupby("unit")["value"].mean()
    rows = []
    for farm in FARMS:
        area = grain[farm.code] / _YIELD[farm.province] * rng.lognormal(0.0, 0.05)
        irrigated = min(1.0, _IRRIGATED[farm.province] * rng.uniform(0.85, 1.1))
        rows.append((farm.code, float(np.round(area, -1)), float(np.round(area * irrigated, -1))))
    return pd.DataFrame(rows, columns=["unit", "crop_area_ha", "irrigated_ha"])


def _planned_share(elapsed: float) -> float:
    """Planned cumulative share of the budget after ``elapsed`` of the schedule (piecewise linear)."""
    points = [m[0] for m in _MILESTONES]
    shares = [m[2] for m in _MILESTONES]
    return float(np.interp(elapsed, points, shares))


def _dwellings_due(share: float, dwellings: int, capital: bool) -> int:
    if capital:
        return dwellings if share >= 1.0 else 0
    return round(dwellings * float(np.clip((share - 0.85) / 0.15, 0.0, 1.0)))


def project_frames(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    projects = pd.DataFrame([p[:7] for p in _PROJECTS],
                            columns=["code", "name", "unit", "budget", "start", "planned_end", "dwellings"])
    projects["name_ko"] = projects["code"].map(PROJECT_NAMES_KO)
    milestones, progress = [], []
    for code, _, unit, budget, start, end, dwellings, slip in _PROJECTS:
        first, last = month_ordinal(start), month_ordinal(end)
        duration = last - first
        capital = unit in ("bld.pyongyang", "bld.hwasong")
        for elapsed, name, share in _MILESTONES:
            milestones.append((code, name, month_label(first + round(elapsed * duration)), share,
                               _dwellings_due(share, dwellings, capital)))
        overrun = rng.uniform(1.0, 1.04) if slip == 1.0 else rng.uniform(1.08, 1.15)
        done = 0.0
        for month in range(first, min(last, LAST_MONTH) + 1):
            # A slipping project moves through its schedule at `slip` of the planned pace.
            elapsed = (month - first + 1) / (duration + 1) * slip
            share = _planned_share(elapsed) if slip < 1.0 or month < last else 1.0
            done = max(done, min(1.0, share * rng.uniform(0.98, 1.02)) if share < 1.0 else 1.0)
            progress.append((code, month_label(month), round(100 * done, 1),
                             round(budget * done * overrun, 1), _dwellings_due(done, dwellings, capital)))
    milestone_frame = pd.DataFrame(
        milestones, columns=["project", "milestone", "planned_date", "planned_value", "dwellings"])
    progress_frame = pd.DataFrame(progress, columns=["project", "period", "percent_complete", "actual_cost",
                                                     "dwellings_completed"])
    return projects, milestone_frame, progress_frame
