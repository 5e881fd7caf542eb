"""The Korean names of the demo economy: its sectors, indicators, provinces, counties and enterprises.

Names follow the usage of the country the demo depicts (평양시, 평안남도, 로동자, 세멘트, 련합기업소).
Real places and enterprises carry their real Korean names; an enterprise named after its place
("Anju Cooperative Farm") is named the same way in Korean (안주협동농장).

>>> unit_name_ko("KP-02"), unit_name_ko("coal.kujang", "Kujang Area Coal Mining Complex")
('평안남도', '구장지구탄광련합기업소')
>>> SECTORS_KO["coal"], INDICATORS_KO["rolled_steel"]
('석탄공업', '압연강재')
"""

from __future__ import annotations

import pandas as pd

COUNTRY_KO = "조선민주주의인민공화국"

SECTORS_KO: dict[str, str] = {
    "economy": "인민경제",
    "industry": "공업",
    "energy": "동력",
    "electricity": "전력공업",
    "coal": "석탄공업",
    "metallurgy": "금속공업(흑색 및 유색)",
    "chemicals": "화학공업",
    "building_materials": "건재공업",
    "forestry": "림업",
    "light_industry": "경공업",
    "fisheries": "수산",
    "construction": "기본건설",
    "transport": "철도운수",
    "agriculture": "농업",
    "grain": "알곡생산",
    "land_water": "국토 및 물관리",
    "irrigation": "관개",
    "services": "상업 및 기타 봉사",
}

INDICATORS_KO: dict[str, str] = {
    "grain": "알곡",
    "electricity": "전력",
    "coal": "석탄",
    "rolled_steel": "압연강재",
    "nonferrous_metals": "유색금속",
    "nitrogen_fertilizer": "질소비료",
    "cement": "세멘트",
    "timber": "통나무",
    "fabric": "천",
    "marine_products": "수산물",
    "dwellings": "준공된 살림집",
    "rail_freight": "철도화물수송",
    "irrigation": "새로 리용한 관개면적",
    "workers": "로동자수",
    "energy_use": "전력소비",
    "equipment_hours": "설비가동시간",
    "materials": "자재소비",
}

PROVINCES_KO: dict[str, str] = {
    "KP-01": "평양시", "KP-02": "평안남도", "KP-03": "평안북도", "KP-04": "자강도", "KP-05": "황해남도",
    "KP-06": "황해북도", "KP-07": "강원도", "KP-08": "함경남도", "KP-09": "함경북도", "KP-10": "량강도",
    "KP-13": "라선시", "KP-14": "남포시",
}

#: Places without their administrative suffix (for enterprises named after them), and the suffix.
PLACES_KO: dict[str, tuple[str, str]] = {
    "Sadong": ("사동", "구역"), "Ryongsong": ("룡성", "구역"), "Kangdong": ("강동", "군"), "Sunan": ("순안", "구역"),
    "Anju": ("안주", "시"), "Kaechon": ("개천", "시"), "Sunchon": ("순천", "시"), "Pukchang": ("북창", "군"),
    "Tokchon": ("덕천", "시"), "Kujang": ("구장", "군"), "Sakju": ("삭주", "군"), "Sinuiju": ("신의주", "시"),
    "Ryongchon": ("룡천", "군"), "Unsan": ("운산", "군"), "Kanggye": ("강계", "시"), "Huichon": ("희천", "시"),
    "Manpo": ("만포", "시"), "Janggang": ("장강", "군"), "Haeju": ("해주", "시"), "Jaeryong": ("재령", "군"),
    "Sinchon": ("신천", "군"), "Anak": ("안악", "군"), "Yonan": ("연안", "군"), "Songrim": ("송림", "시"),
    "Sariwon": ("사리원", "시"), "Hwangju": ("황주", "군"), "Sangwon": ("상원", "군"), "Wonsan": ("원산", "시"),
    "Chonnae": ("천내", "군"), "Munchon": ("문천", "시"), "Anbyon": ("안변", "군"), "Hamhung": ("함흥", "시"),
    "Tanchon": ("단천", "시"), "Sinpho": ("신포", "시"), "Kowon": ("고원", "군"), "Hamju": ("함주", "군"),
    "Chongjin": ("청진", "시"), "Kimchaek": ("김책", "시"), "Musan": ("무산", "군"), "Undok": ("은덕", "군"),
    "Hyesan": ("혜산", "시"), "Samjiyon": ("삼지연", "시"), "Paekam": ("백암", "군"), "Taehongdan": ("대홍단", "군"),
    "Rajin": ("라진", "구역"), "Sonbong": ("선봉", "구역"), "Ungsang": ("웅상", "지구"), "Chollima": ("천리마", "구역"),
    "Kangso": ("강서", "구역"), "Hanggu": ("항구", "구역"),
    # Places that name enterprises only.
    "Pyongyang": ("평양", ""), "East Pyongyang": ("동평양", ""), "Namhung": ("남흥", ""), "Hungnam": ("흥남", ""),
    "Aoji": ("아오지", ""), "Munpyong": ("문평", ""), "Nampo": ("남포", ""), "Jangchon": ("장천", ""),
    "Migok": ("미곡", ""), "Chongsan-ri": ("청산리", ""), "Ryongdung": ("룡등", ""), "Ryongmun": ("룡문", ""),
    "Kogonwon": ("고건원", ""), "Unbong": ("운봉", ""), "Kuryonggang": ("구룡강", ""), "Orangchon": ("어랑천", ""),
    "Hochongang": ("허천강", ""),
}

#: Enterprises whose Korean name is not their place and kind (real names, as they are known).
ENTERPRISES_KO: dict[str, str] = {
    "elec.supung": "수풍발전소",
    "coal.jikdong": "2.8직동청년탄광",
    "coal.chonsong": "천성청년탄광",
    "coal.sinchang": "신창청년탄광",
    "metal.kimchaek": "김책제철련합기업소",
    "metal.hwanghae": "황해제철련합기업소",
    "metal.chollima": "천리마제강련합기업소",
    "metal.songjin": "성진제강련합기업소",
    "metal.ryongsong": "룡성압연공장",
    "metal.komdok": "검덕광업련합기업소",
    "metal.hyesan": "혜산청년광산",
    "chem.namhung": "남흥청년화학련합기업소",
    "chem.vinalon": "2.8비날론련합기업소",
    "wood.kanggye": "강계림산물기업소",
    "text.pyongyang": "김정숙평양방직공장",
    "text.hamhung": "함흥모방직공장",
    "fish.sinpho": "신포원양수산련합기업소",
    "fish.sonbong": "선봉양어사업소",
    "bld.hwasong": "화성지구건설지휘부",
    "bld.pyongyang": "평양시도시건설사업소",
    "farm.taehongdan": "대홍단감자농장",
}

#: The kind of an enterprise named "<place> <kind>", longest first so that "Thermal Power Station" wins.
KINDS_KO: dict[str, str] = {
    "Area Coal Mining Complex": "지구탄광련합기업소",
    "Rural Construction Enterprise": "농촌건설사업소",
    "Thermal Power Complex": "화력발전련합기업소",
    "Thermal Power Station": "화력발전소",
    "Youth Power Station": "청년발전소",
    "Fertilizer Complex": "비료련합기업소",
    "Fertilizer Factory": "비료공장",
    "Chemical Complex": "화학련합기업소",
    "Cement Complex": "세멘트련합기업소",
    "Cement Factory": "세멘트공장",
    "Cooperative Farm": "협동농장",
    "Fisheries Station": "수산사업소",
    "Forestry Station": "림업사",
    "Timber Enterprise": "목재기업소",
    "Railway Bureau": "철도국",
    "Power Station": "발전소",
    "Textile Mill": "방직공장",
    "Coal Mine": "탄광",
    "Smeltery": "제련소",
}

PLANS_KO: dict[str, str] = {
    "fyp-2021-2025": "인민경제발전 5개년계획(2021~2025)",
    "ap-2021": "2021년 인민경제계획",
    "ap-2022": "2022년 인민경제계획",
    "ap-2023": "2023년 인민경제계획",
}

_PROVINCE_BY_ENGLISH = {
    "Pyongyang": "KP-01", "South Pyongan": "KP-02", "North Pyongan": "KP-03", "Chagang": "KP-04",
    "South Hwanghae": "KP-05", "North Hwanghae": "KP-06", "Kangwon": "KP-07", "South Hamgyong": "KP-08",
    "North Hamgyong": "KP-09", "Ryanggang": "KP-10", "Rason": "KP-13", "Nampo": "KP-14",
}


def _enterprise_ko(code: str, name: str) -> str | None:
    if code in ENTERPRISES_KO:
        return ENTERPRISES_KO[code]
    for kind in sorted(KINDS_KO, key=len, reverse=True):
        if name.endswith(" " + kind):
            place = name[: -len(kind) - 1]
            if place in _PROVINCE_BY_ENGLISH:  # "South Pyongan Rural Construction Enterprise"
                return PROVINCES_KO[_PROVINCE_BY_ENGLISH[place]] + KINDS_KO[kind]
            if place in PLACES_KO:
                return PLACES_KO[place][0] + KINDS_KO[kind]
    return None


def unit_name_ko(code: str, name: str = "") -> str | None:
    """The Korean name of the demo unit ``code`` (English ``name``); None for a unit the demo lacks."""
    if code == "KP":
        return COUNTRY_KO
    if code in PROVINCES_KO:
        return PROVINCES_KO[code]
    if code.startswith("KP-") and name in PLACES_KO:
        place, suffix = PLACES_KO[name]
        return place + suffix
    return _enterprise_ko(code, name)


def with_korean_names(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The demo's ``frame`` of ``kind`` (sectors, units, indicators or plans) with its ``name_ko`` column."""
    if kind == "units":
        names = [unit_name_ko(c, n) for c, n in zip(frame["code"], frame["name"], strict=True)]
    else:
        table = {"sectors": SECTORS_KO, "indicators": INDICATORS_KO, "plans": PLANS_KO}[kind]
        names = [table.get(c) for c in frame["code"]]
    return frame.assign(name_ko=names)


__all__ = ["INDICATORS_KO", "PLANS_KO", "PROVINCES_KO", "SECTORS_KO", "unit_name_ko", "with_korean_names"]
