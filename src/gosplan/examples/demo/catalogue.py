"""The fixed catalogue of the demo economy: sectors, provinces, counties, enterprises, indicators.

Province codes are the ISO 3166-2:KP codes. County and enterprise placements follow public
descriptions where they are well known (Kujang Area Coal Mining Complex in Kujang County, Kim Chaek
Iron and Steel Complex in Chongjin, ...); the smaller units are plausible inventions. Nothing here is
random: the seed only drives the numbers in :mod:`gosplan.examples.demo.activity`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gosplan.model import INDICATOR_COLUMNS, PLAN_COLUMNS, SECTOR_COLUMNS, UNIT_COLUMNS

COUNTRY = "KP"

# code, name, parent: a classification tree under one root.
SECTORS: list[tuple[str, str, str | None]] = [
    ("economy", "National economy", None),
    ("industry", "Industry", "economy"),
    ("energy", "Energy", "industry"),
    ("electricity", "Electric power", "energy"),
    ("coal", "Coal mining", "energy"),
    ("metallurgy", "Metallurgy (ferrous and non-ferrous)", "industry"),
    ("chemicals", "Chemical industry", "industry"),
    ("building_materials", "Building materials", "industry"),
    ("forestry", "Forestry and timber", "industry"),
    ("light_industry", "Light industry", "industry"),
    ("fisheries", "Fisheries", "economy"),
    ("construction", "Capital construction", "economy"),
    ("transport", "Rail transport", "economy"),
    ("agriculture", "Agriculture", "economy"),
    ("grain", "Grain production", "agriculture"),
    ("land_water", "Land and water management", "economy"),
    ("irrigation", "Irrigation", "land_water"),
    ("services", "Trade and other services", "economy"),
]

# ISO 3166-2:KP code, name, counties (3-5 each).
PROVINCES: list[tuple[str, str, list[str]]] = [
    ("KP-01", "Pyongyang", ["Sadong", "Ryongsong", "Kangdong", "Sunan"]),
    ("KP-02", "South Pyongan", ["Anju", "Kaechon", "Sunchon", "Pukchang", "Tokchon"]),
    ("KP-03", "North Pyongan", ["Kujang", "Sakju", "Sinuiju", "Ryongchon", "Unsan"]),
    ("KP-04", "Chagang", ["Kanggye", "Huichon", "Manpo", "Janggang"]),
    ("KP-05", "South Hwanghae", ["Haeju", "Jaeryong", "Sinchon", "Anak", "Yonan"]),
    ("KP-06", "North Hwanghae", ["Songrim", "Sariwon", "Hwangju", "Sangwon"]),
    ("KP-07", "Kangwon", ["Wonsan", "Chonnae", "Munchon", "Anbyon"]),
    ("KP-08", "South Hamgyong", ["Hamhung", "Tanchon", "Sinpho", "Kowon", "Hamju"]),
    ("KP-09", "North Hamgyong", ["Chongjin", "Kimchaek", "Musan", "Undok"]),
    ("KP-10", "Ryanggang", ["Hyesan", "Samjiyon", "Paekam", "Taehongdan"]),
    ("KP-13", "Rason", ["Rajin", "Sonbong", "Ungsang"]),
    ("KP-14", "Nampo", ["Chollima", "Kangso", "Hanggu"]),
]


def county_code(county: str) -> str:
    """``"KP-03.kujang"``: the province code, a dot and the county in lower case."""
    for province, _, counties in PROVINCES:
        if county in counties:
            return f"{province}.{county.lower()}"
    raise KeyError(county)


@dataclass(frozen=True)
class Enterprise:
    """A producing unit of the catalogue: where it is, what it makes, how it works, how big it is."""

    code: str
    name: str
    county: str
    sector: str
    indicator: str
    technology: str
    weight: float  # relative size within its indicator

    @property
    def province(self) -> str:
        return county_code(self.county).split(".")[0]


# (sector, indicator) -> code, name, county, technology, relative size within the indicator.
_ENTERPRISE_TABLE: dict[tuple[str, str], list[tuple[str, str, str, str, float]]] = {
    # Electric power: thermal plants run steadily, hydro stations follow the summer rains.
    ("electricity", "electricity"): [
        ("elec.pukchang", "Pukchang Thermal Power Complex", "Pukchang", "thermal", 3.0),
        ("elec.pyongyang", "Pyongyang Thermal Power Complex", "Sadong", "thermal", 2.0),
        ("elec.eastpy", "East Pyongyang Thermal Power Station", "Ryongsong", "thermal", 0.8),
        ("elec.sunchon", "Sunchon Thermal Power Station", "Sunchon", "thermal", 1.0),
        ("elec.chongjin", "Chongjin Thermal Power Station", "Chongjin", "thermal", 0.8),
        ("elec.supung", "Supung Youth Power Station", "Sakju", "hydro", 2.2),
        ("elec.huichon", "Huichon Power Station", "Huichon", "hydro", 1.0),
        ("elec.kanggye", "Kanggye Youth Power Station", "Kanggye", "hydro", 0.8),
        ("elec.unbong", "Unbong Power Station", "Manpo", "hydro", 1.2),
        ("elec.kuryong", "Kuryonggang Power Station", "Unsan", "hydro", 0.8),
        ("elec.orangchon", "Orangchon Power Station", "Kimchaek", "hydro", 0.5),
        ("elec.hochon", "Hochongang Power Station", "Hamju", "hydro", 0.8),
        ("elec.tanchon", "Tanchon Power Station", "Tanchon", "hydro", 0.6),
        ("elec.anbyon", "Anbyon Youth Power Station", "Anbyon", "hydro", 0.4),
    ],
    # Coal: the innovation movement of 2023 starts at Kujang.
    ("coal", "coal"): [
        ("coal.kujang", "Kujang Area Coal Mining Complex", "Kujang", "mine", 1.2),
        ("coal.kaechon", "Kaechon Area Coal Mining Complex", "Kaechon", "mine", 1.5),
        ("coal.tokchon", "Tokchon Area Coal Mining Complex", "Tokchon", "mine", 1.5),
        ("coal.sunchon", "Sunchon Area Coal Mining Complex", "Sunchon", "mine", 1.6),
        ("coal.pukchang", "Pukchang Area Coal Mining Complex", "Pukchang", "mine", 1.4),
        ("coal.anju", "Anju Area Coal Mining Complex", "Anju", "mine", 1.8),
        ("coal.jikdong", "2.8 Jikdong Youth Coal Mine", "Sunchon", "mine", 0.8),
        ("coal.ryongdung", "Ryongdung Coal Mine", "Kaechon", "mine", 0.6),
        ("coal.chonsong", "Chonsong Youth Coal Mine", "Kaechon", "mine", 0.5),
        ("coal.kowon", "Kowon Area Coal Mining Complex", "Kowon", "mine", 0.9),
        ("coal.sinchang", "Sinchang Youth Coal Mine", "Hamju", "mine", 0.5),
        ("coal.ryongmun", "Ryongmun Coal Mine", "Kujang", "mine", 0.6),
        ("coal.kogonwon", "Kogonwon Coal Mine", "Undok", "mine", 0.5),
        ("coal.kangdong", "Kangdong Area Coal Mining Complex", "Kangdong", "mine", 0.7),
        ("coal.janggang", "Janggang Coal Mine", "Janggang", "mine", 0.3),
        ("coal.tanchon", "Tanchon Coal Mine", "Tanchon", "mine", 0.4),
    ],
    # Metallurgy: rolled steel from the steel complexes, non-ferrous metals from mines and smelters.
    ("metallurgy", "rolled_steel"): [
        ("metal.kimchaek", "Kim Chaek Iron and Steel Complex", "Chongjin", "steel", 3.0),
        ("metal.hwanghae", "Hwanghae Iron and Steel Complex", "Songrim", "steel", 2.0),
        ("metal.chollima", "Chollima Steel Complex", "Chollima", "steel", 2.0),
        ("metal.songjin", "Songjin Steel Complex", "Kimchaek", "steel", 1.2),
        ("metal.ryongsong", "Ryongsong Rolled Steel Works", "Ryongsong", "steel", 0.6),
    ],
    # Metallurgy: rolled steel from the steel complexes, non-ferrous metals from mines and smelters.
    ("metallurgy", "nonferrous_metals"): [
        ("metal.komdok", "Komdok Mining Complex", "Tanchon", "nonferrous", 2.0),
        ("metal.tanchon", "Tanchon Smeltery", "Tanchon", "nonferrous", 1.0),
        ("metal.munpyong", "Munpyong Smeltery", "Munchon", "nonferrous", 1.5),
        ("metal.nampo", "Nampo Smeltery", "Hanggu", "nonferrous", 1.0),
        ("metal.hyesan", "Hyesan Youth Copper Mine", "Hyesan", "nonferrous", 0.7),
    ],
    # Chemicals: nitrogen fertilizer.
    ("chemicals", "nitrogen_fertilizer"): [
        ("chem.namhung", "Namhung Youth Chemical Complex", "Anju", "fertilizer", 2.5),
        ("chem.hungnam", "Hungnam Fertilizer Complex", "Hamhung", "fertilizer", 3.0),
        ("chem.aoji", "Aoji Chemical Complex", "Undok", "fertilizer", 1.0),
        ("chem.sunchon", "Sunchon Chemical Complex", "Sunchon", "fertilizer", 1.0),
        ("chem.vinalon", "February 8 Vinalon Complex", "Hamhung", "fertilizer", 0.8),
        ("chem.haeju", "Haeju Fertilizer Factory", "Haeju", "fertilizer", 0.5),
    ],
    # Building materials: cement.
    ("building_materials", "cement"): [
        ("cem.sangwon", "Sangwon Cement Complex", "Sangwon", "cement", 3.0),
        ("cem.sunchon", "Sunchon Cement Complex", "Sunchon", "cement", 2.0),
        ("cem.chonnae", "Chonnae Cement Complex", "Chonnae", "cement", 1.0),
        ("cem.kowon", "Kowon Cement Factory", "Kowon", "cement", 0.7),
        ("cem.haeju", "Haeju Cement Factory", "Haeju", "cement", 0.6),
        ("cem.hyesan", "Hyesan Cement Factory", "Hyesan", "cement", 0.4),
    ],
    # Forestry: timber, felled mostly in winter.
    ("forestry", "timber"): [
        ("wood.paekam", "Paekam Forestry Station", "Paekam", "timber", 1.5),
        ("wood.samjiyon", "Samjiyon Timber Enterprise", "Samjiyon", "timber", 1.0),
        ("wood.kanggye", "Kanggye Forest Products Enterprise", "Kanggye", "timber", 1.0),
        ("wood.musan", "Musan Forestry Station", "Musan", "timber", 1.2),
        ("wood.janggang", "Janggang Timber Enterprise", "Janggang", "timber", 0.8),
        ("wood.huichon", "Huichon Forestry Station", "Huichon", "timber", 0.6),
    ],
    # Light industry: fabric.
    ("light_industry", "fabric"): [
        ("text.pyongyang", "Kim Jong Suk Pyongyang Textile Mill", "Sadong", "textile", 3.0),
        ("text.sinuiju", "Sinuiju Textile Mill", "Sinuiju", "textile", 1.5),
        ("text.ryongchon", "Ryongchon Textile Mill", "Ryongchon", "textile", 0.8),
        ("text.hamhung", "Hamhung Woollen Textile Mill", "Hamhung", "textile", 0.8),
        ("text.sariwon", "Sariwon Textile Mill", "Sariwon", "textile", 0.6),
        ("text.kanggye", "Kanggye Textile Mill", "Kanggye", "textile", 0.5),
        ("text.chongjin", "Chongjin Textile Mill", "Chongjin", "textile", 0.7),
    ],
    # Fisheries: marine products, seasonal.
    ("fisheries", "marine_products"): [
        ("fish.sinpho", "Sinpho Pelagic Fishery Complex", "Sinpho", "fishery", 2.0),
        ("fish.wonsan", "Wonsan Fisheries Station", "Wonsan", "fishery", 1.2),
        ("fish.chongjin", "Chongjin Fisheries Station", "Chongjin", "fishery", 1.2),
        ("fish.rajin", "Rajin Fisheries Station", "Rajin", "fishery", 0.8),
        ("fish.haeju", "Haeju Fisheries Station", "Haeju", "fishery", 0.8),
        ("fish.nampo", "Nampo Fisheries Station", "Hanggu", "fishery", 0.8),
        ("fish.kimchaek", "Kimchaek Fisheries Station", "Kimchaek", "fishery", 0.6),
        ("fish.sonbong", "Sonbong Aquaculture Station", "Sonbong", "fishery", 0.4),
    ],
    # Construction: dwellings in the capital (10,000 a year) and rural housing in the provinces.
    ("construction", "dwellings"): [
        ("bld.hwasong", "Hwasong District Construction Command", "Ryongsong", "capital_housing", 5.0),
        ("bld.pyongyang", "Pyongyang Urban Construction Enterprise", "Sadong", "capital_housing", 3.0),
        ("bld.spyongan", "South Pyongan Rural Construction Enterprise", "Sunchon", "rural_housing", 3.5),
        ("bld.npyongan", "North Pyongan Rural Construction Enterprise", "Sinuiju", "rural_housing", 3.0),
        ("bld.chagang", "Chagang Rural Construction Enterprise", "Kanggye", "rural_housing", 1.5),
        ("bld.shwanghae", "South Hwanghae Rural Construction Enterprise", "Haeju", "rural_housing", 4.0),
        ("bld.nhwanghae", "North Hwanghae Rural Construction Enterprise", "Sariwon", "rural_housing", 3.0),
        ("bld.kangwon", "Kangwon Rural Construction Enterprise", "Wonsan", "rural_housing", 2.0),
        ("bld.shamgyong", "South Hamgyong Rural Construction Enterprise", "Hamhung", "rural_housing", 2.5),
        ("bld.nhamgyong", "North Hamgyong Rural Construction Enterprise", "Chongjin", "rural_housing", 2.0),
        ("bld.ryanggang", "Ryanggang Rural Construction Enterprise", "Hyesan", "rural_housing", 1.0),
    ],
    # Rail transport: the five railway bureaus.
    ("transport", "rail_freight"): [
        ("rail.pyongyang", "Pyongyang Railway Bureau", "Sadong", "rail", 2.0),
        ("rail.kaechon", "Kaechon Railway Bureau", "Kaechon", "rail", 1.5),
        ("rail.hamhung", "Hamhung Railway Bureau", "Hamhung", "rail", 1.5),
        ("rail.chongjin", "Chongjin Railway Bureau", "Chongjin", "rail", 1.2),
        ("rail.sariwon", "Sariwon Railway Bureau", "Sariwon", "rail", 1.0),
    ],
}
_ENTERPRISES: list[Enterprise] = [
    Enterprise(code, name, county, sector, indicator, technology, weight)
    for (sector, indicator), rows in _ENTERPRISE_TABLE.items()
    for code, name, county, technology, weight in rows
]

# Share of national grain by province (South Hwanghae is the granary; Ryanggang grows potatoes).
GRAIN_PROVINCE_SHARE: dict[str, float] = {
    "KP-01": 0.05, "KP-02": 0.17, "KP-03": 0.15, "KP-04": 0.02, "KP-05": 0.25, "KP-06": 0.13,
    "KP-07": 0.05, "KP-08": 0.07, "KP-09": 0.04, "KP-10": 0.03, "KP-13": 0.01, "KP-14": 0.03,
}
# Well-known farm names; the other counties get "<County> Cooperative Farm".
_FARM_NAMES = {
    "Kangso": "Chongsan-ri Cooperative Farm",
    "Sariwon": "Migok Cooperative Farm",
    "Sadong": "Jangchon Cooperative Farm",
    "Taehongdan": "Taehongdan Potato Farm",
}
# Urban districts and ports without a grain farm of their own.
_NO_FARM = {"Rajin", "Hanggu", "Chollima", "Ryongsong", "Chongjin"}


def _farms() -> list[Enterprise]:
    farms = []
    for province, _, counties in PROVINCES:
        for county in counties:
            if county in _NO_FARM:
                continue
            name = _FARM_NAMES.get(county, f"{county} Cooperative Farm")
            technology = "potato" if province == "KP-10" else "grain"
            code = f"farm.{county.lower()}"
            farms.append(Enterprise(code, name, county, "grain", "grain", technology, 1.0))
    return farms


ENTERPRISES: list[Enterprise] = [*_ENTERPRISES, *_farms()]
FARMS: list[Enterprise] = [e for e in ENTERPRISES if e.sector == "grain"]
INDUSTRIAL: list[Enterprise] = [e for e in ENTERPRISES if e.sector != "grain"]

# code, name, unit, time_aggregation, direction, sector, key, role
INDICATORS: list[tuple[str, str, str, str, str, str | None, bool, str]] = [
    ("grain", "Grain", "t", "sum", "higher", "grain", True, "output"),
    ("electricity", "Electricity generated", "kWh", "sum", "higher", "electricity", True, "output"),
    ("coal", "Coal", "t", "sum", "higher", "coal", True, "output"),
    ("rolled_steel", "Rolled steel", "t", "sum", "higher", "metallurgy", True, "output"),
    ("nonferrous_metals", "Non-ferrous metals", "t", "sum", "higher", "metallurgy", True, "output"),
    ("nitrogen_fertilizer", "Nitrogen fertilizer", "t", "sum", "higher", "chemicals", True, "output"),
    ("cement", "Cement", "t", "sum", "higher", "building_materials", True, "output"),
    ("timber", "Timber", "m**3", "sum", "higher", "forestry", True, "output"),
    ("fabric", "Fabric", "m**2", "sum", "higher", "light_industry", True, "output"),
    ("marine_products", "Marine products", "t", "sum", "higher", "fisheries", True, "output"),
    ("dwellings", "Dwellings completed", "dwelling", "sum", "higher", "construction", True, "output"),
    ("rail_freight", "Rail freight", "t_km", "sum", "higher", "transport", True, "output"),
    ("irrigation", "Irrigated land brought into service", "hectare", "sum", "higher", "irrigation", False,
     "output"),
    ("workers", "Workers employed", "worker", "mean", "lower", None, False, "input"),
    ("energy_use", "Electricity consumed", "kWh", "sum", "lower", None, False, "input"),
    ("equipment_hours", "Equipment hours worked", "machine_hour", "sum", "lower", None, False, "input"),
    ("materials", "Materials used", "million_won", "sum", "lower", None, False, "input"),
]
OUTPUT_INDICATORS = [row[0] for row in INDICATORS if row[7] == "output"]
INPUT_INDICATORS = [row[0] for row in INDICATORS if row[7] == "input"]
INDICATOR_UNIT = {row[0]: row[2] for row in INDICATORS}

FIVE_YEAR_PLAN = "fyp-2021-2025"
# The five-year plan's national figures for its last two years, for the twelve major goals (no
# quantities were published, FIGURES.md: these are invented in its spirit, in the indicators' units).
# The one source of these targets: the demo's store, status, forecasts (five-year progress) and plan
# making (the 2024 control figures) all read them from here.
FIVE_YEAR_FIGURES: dict[str, dict[int, float]] = {
    "coal": {2024: 18_500_000, 2025: 19_500_000},
    "electricity": {2024: 25_500_000_000, 2025: 27_000_000_000},
    "rolled_steel": {2024: 380_000, 2025: 420_000},
    "nonferrous_metals": {2024: 83_100, 2025: 86_400},
    "cement": {2024: 7_600_000, 2025: 8_000_000},
    "nitrogen_fertilizer": {2024: 760_000, 2025: 800_000},
    "timber": {2024: 1_650_000, 2025: 1_750_000},
    "fabric": {2024: 123_500_000, 2025: 127_000_000},
    "marine_products": {2024: 700_000, 2025: 721_000},
    "grain": {2024: 5_000_000, 2025: 5_200_000},
    "dwellings": {2024: 40_000, 2025: 40_000},
    "rail_freight": {2024: 8_700_000_000, 2025: 8_910_000_000},
}
ANNUAL_PLANS = {2021: "ap-2021", 2022: "ap-2022", 2023: "ap-2023"}


def sectors_frame() -> pd.DataFrame:
    return pd.DataFrame(SECTORS, columns=SECTOR_COLUMNS)


def units_frame() -> pd.DataFrame:
    rows: list[tuple[str, str, str, str | None, str | None]] = [
        (COUNTRY, "Democratic People's Republic of Korea", "country", None, None)]
    for province, name, counties in PROVINCES:
        rows.append((province, name, "province", COUNTRY, None))
        rows.extend((f"{province}.{c.lower()}", c, "county", province, None) for c in counties)
    rows.extend((e.code, e.name, "enterprise", county_code(e.county), e.sector) for e in ENTERPRISES)
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


def indicators_frame() -> pd.DataFrame:
    rows = [(code, name, unit, "sum", time_agg, direction, sector, key, role)
            for code, name, unit, time_agg, direction, sector, key, role in INDICATORS]
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def plans_frame() -> pd.DataFrame:
    rows: list[tuple[str, str, str, int, int, str | None]] = [
        (FIVE_YEAR_PLAN, "Five-Year Plan for National Economic Development 2021-2025", "five-year",
         2021, 2025, None)]
    rows.extend((code, f"Annual plan {year}", "annual", year, year, FIVE_YEAR_PLAN)
                for year, code in ANNUAL_PLANS.items())
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)
