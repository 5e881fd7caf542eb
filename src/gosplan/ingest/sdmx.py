"""SDMX 2.1: the structure of gosplan's data (codelists, concepts, data structure definitions and
dataflows), its reports and targets as structure-specific data messages and as SDMX-CSV, and the
reading of data messages (structure-specific or generic) back into import frames.

Two dataflows, ``GOSPLAN:DF_REPORTS(1.0)`` and ``GOSPLAN:DF_TARGETS(1.0)``, with the dimensions
``REPORTING_UNIT``, ``INDICATOR`` (and ``PLAN`` for targets) and ``TIME_PERIOD``, the measure
``OBS_VALUE`` and the series attribute ``UNIT_MEASURE``. SDMX identifiers allow no ``.``; a gosplan
code's ``.`` is written ``@`` (``coal.tokchon`` -> ``coal@tokchon``) and read back. Halves of a year
are SDMX semesters (``2023-H1`` <-> ``2023-S1``).

Data are written as text in streaming chunks (one series per unit and indicator, one line per
observation), read with the
standard library's expat parser; a problem is reported with the line of the XML file, which is the
``row`` of the import's problems.

>>> sdmx_id("coal.tokchon"), gosplan_code("coal@tokchon"), sdmx_period("2023-H2"), gosplan_period("2023-S2")
('coal@tokchon', 'coal.tokchon', '2023-S2', '2023-H2')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError

AGENCY = "GOSPLAN"
VERSION = "1.0"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
GEN = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FLOWS = {"reports": ("DF_REPORTS", "DSD_REPORTS", "Monthly reports"),
         "targets": ("DF_TARGETS", "DSD_TARGETS", "Plan targets")}
DIMENSIONS = {"reports": ["REPORTING_UNIT", "INDICATOR"], "targets": ["PLAN", "REPORTING_UNIT", "INDICATOR"]}
COLUMN_OF = {"REPORTING_UNIT": "unit", "INDICATOR": "indicator", "PLAN": "plan", "TIME_PERIOD": "period",
             "OBS_VALUE": "value"}
CONCEPTS = {"REPORTING_UNIT": "Reporting unit", "INDICATOR": "Indicator", "PLAN": "Plan",
            "TIME_PERIOD": "Time period", "OBS_VALUE": "Observation value", "UNIT_MEASURE": "Unit of measure"}
_CHUNK = 50_000


def sdmx_id(code: str) -> str:
    """A gosplan code as an SDMX identifier (``.`` -> ``@``)."""
    return str(code).replace(".", "@")


def gosplan_code(identifier: str) -> str:
    """An SDMX identifier written by :func:`sdmx_id` as the gosplan code."""
    return str(identifier).replace("@", ".")


def sdmx_period(period: str) -> str:
    return str(period).replace("-H", "-S")


def gosplan_period(period: str) -> str:
    return str(period).replace("-S", "-H")


def measure_id(unit: str) -> str:
    """A unit of measure (``m**2``) as an SDMX identifier (``m__2``)."""
    return re.sub(r"[^A-Za-z0-9_@$\-]", "_", str(unit)) or "_"


def dsd_urn(kind: str) -> str:
    return f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={AGENCY}:{FLOWS[kind][1]}({VERSION})"


# ---------------------------------------------------------------------------------------- structure
def write_structure(path: str | Path, units: pd.DataFrame, indicators: pd.DataFrame, plans: pd.DataFrame,
                    korean: dict[str, dict[str, str]] | None = None) -> Path:
    """An SDMX-ML 2.1 structure message: codelists of units (with their parents), indicators, plans and
    units of measure; the concept scheme; the DSDs and dataflows of reports and targets.

    The frames' texts are English (``xml:lang="en"``); ``korean`` adds Korean ones (``xml:lang="ko"``):
    ``{"units" | "indicators" | "plans": {code: name}, "definitions": {indicator code: definition}}``."""
    korean = korean or {}
    path = Path(path)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<mes:Structure xmlns:mes="{MES}" xmlns:str="{STR}" xmlns:com="{COM}">',
        _header("GOSPLAN_STRUCTURE"),
        "<mes:Structures>",
        "<str:Dataflows>",
    ]
    for flow, dsd, name in FLOWS.values():
        lines += [f'<str:Dataflow id="{flow}" agencyID="{AGENCY}" version="{VERSION}" '
                  f'urn="urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={AGENCY}:{flow}({VERSION})">',
                  _name(name), "<str:Structure>",
                  f'<Ref id="{dsd}" agencyID="{AGENCY}" version="{VERSION}" package="datastructure" '
                  'class="DataStructure"/>', "</str:Structure>", "</str:Dataflow>"]
    lines.append("</str:Dataflows>")
    lines.append("<str:Codelists>")
    unit_rows = [(sdmx_id(r.code), _both(r.name, korean.get("units", {}).get(r.code)),
                  None if pd.isna(r.parent) or not r.parent else sdmx_id(r.parent))
                 for r in units.itertuples(index=False)]
    lines += _codelist("CL_UNIT", "Reporting units", unit_rows)
    definitions_ko = korean.get("definitions", {})
    lines += _codelist("CL_INDICATOR", "Indicators",
                       [(sdmx_id(r.code), _both(r.name, korean.get("indicators", {}).get(r.code)), None)
                        for r in indicators.itertuples(index=False)],
                       {sdmx_id(r["code"]): {**r, "definition_ko": definitions_ko.get(r["code"])}
                        for r in indicators.to_dict("records")})
    measures = sorted(set(indicators["unit"].astype(str)))
    lines += _codelist("CL_UNIT_MEASURE", "Units of measure", [(measure_id(m), m, None) for m in measures])
    lines += _codelist("CL_PLAN", "Plans", [(sdmx_id(r.code), _both(r.name, korean.get("plans", {}).get(r.code)), None)
                                            for r in plans.itertuples(index=False)])
    lines.append("</str:Codelists>")
    lines += ["<str:Concepts>", f'<str:ConceptScheme id="CS_GOSPLAN" agencyID="{AGENCY}" version="{VERSION}">',
              _name("Concepts of gosplan")]
    lines += [f'<str:Concept id="{c}">{_name(n)}</str:Concept>' for c, n in CONCEPTS.items()]
    lines += ["</str:ConceptScheme>", "</str:Concepts>", "<str:DataStructures>"]
    lists = {"REPORTING_UNIT": "CL_UNIT", "INDICATOR": "CL_INDICATOR", "PLAN": "CL_PLAN"}
    for kind, (_, dsd, name) in FLOWS.items():
        lines += [f'<str:DataStructure id="{dsd}" agencyID="{AGENCY}" version="{VERSION}" urn="{dsd_urn(kind)}">',
                  _name(name), "<str:DataStructureComponents>", '<str:DimensionList id="DimensionDescriptor">']
        dims = DIMENSIONS[kind]
        for position, dim in enumerate(dims, start=1):
            lines += [f'<str:Dimension id="{dim}" position="{position}">', _concept(dim),
                      "<str:LocalRepresentation><str:Enumeration>", _codelist_ref(lists[dim]),
                      "</str:Enumeration></str:LocalRepresentation>", "</str:Dimension>"]
        lines += [f'<str:TimeDimension id="TIME_PERIOD" position="{len(dims) + 1}">', _concept("TIME_PERIOD"),
                  '<str:LocalRepresentation><str:TextFormat textType="ObservationalTimePeriod"/>'
                  "</str:LocalRepresentation>", "</str:TimeDimension>", "</str:DimensionList>",
                  '<str:AttributeList id="AttributeDescriptor">',
                  '<str:Attribute id="UNIT_MEASURE" assignmentStatus="Conditional">', _concept("UNIT_MEASURE"),
                  "<str:LocalRepresentation><str:Enumeration>", _codelist_ref("CL_UNIT_MEASURE"),
                  "</str:Enumeration></str:LocalRepresentation>",
                  '<str:AttributeRelationship><str:Dimension><Ref id="INDICATOR"/></str:Dimension>'
                  "</str:AttributeRelationship>", "</str:Attribute>", "</str:AttributeList>",
                  '<str:MeasureList id="MeasureDescriptor">', '<str:PrimaryMeasure id="OBS_VALUE">',
                  _concept("OBS_VALUE"), "</str:PrimaryMeasure>", "</str:MeasureList>",
                  "</str:DataStructureComponents>", "</str:DataStructure>"]
    lines += ["</str:DataStructures>", "</mes:Structures>", "</mes:Structure>"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _header(message_id: str, structure: str = "") -> str:
    prepared = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return (f"<mes:Header><mes:ID>{message_id}</mes:ID><mes:Test>false</mes:Test>"
            f'<mes:Prepared>{prepared}</mes:Prepared><mes:Sender id="{AGENCY}"/>{structure}</mes:Header>')


def _name(text: str | dict[str, str]) -> str:
    """``com:Name`` elements: one in English, or one per language of ``{language: text}``."""
    texts = text if isinstance(text, dict) else {"en": text}
    return "".join(f'<com:Name xml:lang="{lang}">{escape(str(value))}</com:Name>' for lang, value in texts.items())


def _both(english: str, korean: str | None) -> str | dict[str, str]:
    """An English label, with its Korean one where the store has it."""
    return {"en": english, "ko": korean} if isinstance(korean, str) and korean.strip() else english


# An indicator's metadata in the structure: its definition as the code's description, the rest as
# annotations (SDMX 2.1 puts annotations before the name, the description after it).
ANNOTATIONS = {"method": "METHODOLOGY", "source": "SOURCE", "responsible": "RESPONSIBLE_AGENCY",
               "frequency": "REPORTING_FREQUENCY"}


def _metadata(row: dict | None) -> tuple[str, str]:
    """``(annotations, description)`` elements of a code from an indicator's metadata (empty without)."""
    if not row:
        return "", ""
    notes = [(kind, row.get(field)) for field, kind in ANNOTATIONS.items()]
    notes = [(kind, str(text)) for kind, text in notes if isinstance(text, str) and text.strip()]
    annotations = ("<com:Annotations>" + "".join(
        f"<com:Annotation><com:AnnotationType>{kind}</com:AnnotationType>"
        f'<com:AnnotationText xml:lang="en">{escape(text)}</com:AnnotationText></com:Annotation>'
        for kind, text in notes) + "</com:Annotations>") if notes else ""
    definition = row.get("definition")
    description = (f'<com:Description xml:lang="en">{escape(definition)}</com:Description>'
                   if isinstance(definition, str) and definition.strip() else "")
    korean = row.get("definition_ko")
    if description and isinstance(korean, str) and korean.strip():
        description += f'<com:Description xml:lang="ko">{escape(korean)}</com:Description>'
    return annotations, description


def _concept(concept: str) -> str:
    return (f'<str:ConceptIdentity><Ref id="{concept}" maintainableParentID="CS_GOSPLAN" '
            f'maintainableParentVersion="{VERSION}" agencyID="{AGENCY}" package="conceptscheme" class="Concept"/>'
            "</str:ConceptIdentity>")


def _codelist_ref(codelist: str) -> str:
    return f'<Ref id="{codelist}" version="{VERSION}" agencyID="{AGENCY}" package="codelist" class="Codelist"/>'


def _codelist(cl: str, name: str, codes: list[tuple[str, str, str | None]],
              metadata: dict[str, dict] | None = None) -> list[str]:
    lines = [f'<str:Codelist id="{cl}" agencyID="{AGENCY}" version="{VERSION}" '
             f'urn="urn:sdmx:org.sdmx.infomodel.codelist.Codelist={AGENCY}:{cl}({VERSION})">', _name(name)]
    for code, label, parent in codes:
        parent_ref = f'<str:Parent><Ref id="{parent}"/></str:Parent>' if parent else ""
        annotations, description = _metadata((metadata or {}).get(code))
        lines.append(f"<str:Code id={quoteattr(code)}>{annotations}{_name(label)}{description}{parent_ref}</str:Code>")
    lines.append("</str:Codelist>")
    return lines


# ---------------------------------------------------------------------------------------- data
def write_data(path: str | Path, kind: str, frame: pd.DataFrame, measures: pd.Series) -> int:
    """Write ``frame`` (reports: indicator, unit, period, value; targets with plan) as an SDMX-ML 2.1
    structure-specific data message, one series per key; ``measures`` maps an indicator to its unit of
    measure. Returns the number of observations."""
    _, dsd, _ = FLOWS[kind]
    dims = DIMENSIONS[kind]
    namespace = dsd_urn(kind) + ":ObsLevelDim:TIME_PERIOD"
    structure = (f'<mes:Structure structureID="{dsd}" namespace="{namespace}" dimensionAtObservation="TIME_PERIOD">'
                 f"<com:Structure><URN>{dsd_urn(kind)}</URN></com:Structure></mes:Structure>")
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<mes:StructureSpecificData xmlns:mes="{MES}" xmlns:ss="{SS}" xmlns:com="{COM}" '
                  f'xmlns:xsi="{XSI}" xmlns:ns1="{namespace}">\n')
        out.write(_header(f"GOSPLAN_{kind.upper()}", structure) + "\n")
        out.write(f'<mes:DataSet ss:structureRef="{dsd}" xsi:type="ns1:DataSetType" '
                  'ss:dataScope="DataStructure" action="Replace">\n')
        for chunk in _series_text(frame, dims, measures):
            out.write(chunk)
        out.write("</mes:DataSet>\n</mes:StructureSpecificData>\n")
    return len(frame)


def _series_text(frame: pd.DataFrame, dims: list[str], measures: pd.Series) -> Iterator[str]:
    """The series and observations as text, in chunks of about 50,000 observations. Vectorised: each
    distinct code and period is escaped once, and every observation's text (with its series' opening
    tag before the first and the closing tag after the last) is built by numpy over object arrays."""
    if frame.empty:
        return
    columns = [COLUMN_OF[d] for d in dims]
    frame = frame.sort_values([*columns, "period"], kind="stable").reset_index(drop=True)
    n = len(frame)
    codes = []
    new_series = np.zeros(n, bool)
    new_series[0] = True
    for column in columns:
        positions, uniques = pd.factorize(frame[column].astype(str))
        codes.append((positions, uniques))
        new_series[1:] |= positions[1:] != positions[:-1]
    starts = np.flatnonzero(new_series)
    opening = np.full(len(starts), "<Series", dtype=object)
    for dim, (positions, uniques) in zip(dims, codes, strict=True):
        quoted = np.array([f" {dim}={quoteattr(sdmx_id(u))}" for u in uniques], dtype=object)
        opening = opening + quoted[positions[starts]]
    positions, uniques = codes[columns.index("indicator")]
    measure_of = {i: measure_id(u) for i, u in measures.items()}
    unit_text = np.array([f' UNIT_MEASURE="{measure_of[u]}">\n' if u in measure_of else ">\n" for u in uniques],
                         dtype=object)
    opening = opening + unit_text[positions[starts]]
    period_positions, period_uniques = pd.factorize(frame["period"].astype(str))
    period_text = np.array([f"<Obs TIME_PERIOD={quoteattr(sdmx_period(p))} OBS_VALUE=\"" for p in period_uniques],
                           dtype=object)
    values = frame["value"].to_numpy(dtype=float).astype(str).astype(object)
    text = period_text[period_positions] + values + '"/>\n'  # a line each: problems name the line
    text[starts] = opening + text[starts]
    ends = np.r_[starts[1:] - 1, n - 1]
    text[ends] = text[ends] + "</Series>\n"
    for begin in range(0, n, _CHUNK):
        yield "".join(text[begin:begin + _CHUNK])


def write_sdmx_csv(path: str | Path, kind: str, frame: pd.DataFrame, measures: pd.Series) -> int:
    """SDMX-CSV 1.0: ``DATAFLOW`` (agency:id(version)), one column per dimension, ``OBS_VALUE`` and
    ``UNIT_MEASURE``. Returns the number of observations."""
    flow, _, _ = FLOWS[kind]
    out = pd.DataFrame({"DATAFLOW": f"{AGENCY}:{flow}({VERSION})"}, index=frame.index)
    for dim in DIMENSIONS[kind]:
        out[dim] = frame[COLUMN_OF[dim]].astype(str).map(sdmx_id)
    out["TIME_PERIOD"] = frame["period"].astype(str).map(sdmx_period)
    out["OBS_VALUE"] = frame["value"].to_numpy(dtype=float)
    out["UNIT_MEASURE"] = frame["indicator"].map({i: measure_id(u) for i, u in measures.items()})
    out.to_csv(path, index=False, float_format=None)
    return len(out)


# ---------------------------------------------------------------------------------------- reading
def read_sdmx(path: str | Path) -> pd.DataFrame:
    """An SDMX-ML 2.1 data message (structure-specific or generic) of gosplan's reports or targets as
    an import frame: (plan,) indicator, unit, period, value, indexed by the line of each observation.
    Every problem of structure (not a data message, another DSD, an unknown dimension, a missing
    dimension or value) is reported with its line; codes are checked by the import as for CSV."""
    reader = _Reader(Path(path).name)
    with open(path, "rb") as handle:
        reader.parse(handle)
    if reader.problems:
        raise ValidationError(reader.problems)
    if reader.kind is None:
        raise ValidationError([Problem(reader.source, None, None, "no data set in the message")])
    columns = [COLUMN_OF[d] for d in DIMENSIONS[reader.kind]] + ["period", "value"]
    frame = pd.DataFrame(reader.rows, columns=["line", *columns]).set_index("line")
    frame.index.name = "row"
    for column in ("plan", "indicator", "unit"):
        if column in frame:
            frame[column] = frame[column].map(gosplan_code)
    frame["period"] = frame["period"].map(gosplan_period)
    return frame


class _Reader:
    """Expat handlers for structure-specific and generic SDMX-ML 2.1 data messages."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.rows: list[tuple] = []
        self.kind: str | None = None
        self.dsd: str | None = None
        self.generic = False  # the element being read is of the generic data namespace
        self.series: dict[str, str] = {}
        self.obs: dict[str, str] = {}
        self.obs_line = 0
        self.in_key = self.in_obs = False
        self.text: list[str] = []
        self.stack: list[str] = []

    def parse(self, handle: IO[bytes]) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self.text.append
        self.parser = parser
        try:
            parser.ParseFile(handle)
        except _Stop:
            pass
        except expat.ExpatError as exc:
            self.problems.append(Problem(self.source, exc.lineno, None,
                                         f"not well-formed XML: {expat.ErrorString(exc.code)}"))

    def _problem(self, column: str | None, reason: str, line: int | None = None) -> None:
        if len(self.problems) < 1000:
            self.problems.append(Problem(self.source, line or self.parser.CurrentLineNumber, column, reason))

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        uri, _, local = name.rpartition(" ")
        if not self.stack and (uri != MES or local not in ("StructureSpecificData", "GenericData")):
            self._problem(None, f"not an SDMX-ML 2.1 data message (root element {local!r}); a structure "
                                "message is exported, not imported")
            raise _Stop
        self.generic = uri == GEN  # sdmx1 may put generic series under a structure-specific root
        self.stack.append(local)
        self.text.clear()
        if local == "Structure" and uri == MES and "structureID" in attrs:
            self.dsd = attrs["structureID"]
        elif local == "Ref" and len(self.stack) >= 2 and self.stack[-2] == "Structure":
            self._set_kind(attrs.get("id", ""))
        elif local == "DataSet":
            reference = attrs.get(f"{SS} structureRef") or attrs.get("structureRef") or self.dsd
            if self.kind is None and reference:
                self._set_kind(reference)
            if self.kind is None:
                self._problem(None, "the data set names no structure of gosplan (DSD_REPORTS or DSD_TARGETS)")
                raise _Stop
        elif local == "Series":
            self.series = {} if self.generic else dict(attrs)
        elif local == "Obs":
            self.obs = {} if self.generic else dict(attrs)
            self.obs_line = self.parser.CurrentLineNumber
        elif self.generic and local == "Value" and "id" in attrs:
            target = self.obs if self.stack[-2] in ("ObsKey", "Attributes") and "Obs" in self.stack else self.series
            target[attrs["id"]] = attrs.get("value", "")
        elif self.generic and local == "ObsDimension":
            self.obs["TIME_PERIOD"] = attrs.get("value", "")
        elif self.generic and local == "ObsValue":
            self.obs["OBS_VALUE"] = attrs.get("value", "")

    def _set_kind(self, text: str) -> None:
        """The kind from a DSD's id, a reference or a URN naming it (``...GOSPLAN:DSD_REPORTS(1.0)``)."""
        for kind, (_, dsd, _) in FLOWS.items():
            if re.search(rf"(^|[:=]){dsd}($|\()", text.strip()):
                self.kind = kind
                return

    def _end(self, name: str) -> None:
        local = self.stack.pop()
        if local == "URN" and self.stack and self.stack[-1] == "Structure":
            self._set_kind("".join(self.text))
        elif local == "Obs":
            self._observation()

    def _observation(self) -> None:
        if self.kind is None:
            self._problem(None, "an observation before the message says its structure", self.obs_line)
            raise _Stop
        values = {**self.series, **self.obs}
        dims = DIMENSIONS[self.kind]
        known = {*dims, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"}
        for extra in sorted(set(values) - known):
            if extra.startswith("{") or ":" in extra or " " in extra:  # namespaced attributes (xsi:type...)
                continue
            self._problem(extra, f"unknown dimension or attribute {extra!r} for {FLOWS[self.kind][1]} "
                                 f"(expected {', '.join([*dims, 'TIME_PERIOD'])})", self.obs_line)
        missing = [d for d in [*dims, "TIME_PERIOD", "OBS_VALUE"] if not values.get(d)]
        for d in missing:
            self._problem(d, "missing", self.obs_line)
        if missing:
            return
        self.rows.append((self.obs_line, *(values[d] for d in dims), values["TIME_PERIOD"], values["OBS_VALUE"]))


class _Stop(Exception):
    """Reading stops: the message's structure is wrong (its problems are recorded)."""


# ---------------------------------------------------------------------------------------- SDMX-CSV
def is_sdmx_csv(frame: pd.DataFrame) -> bool:
    """Whether a CSV table (lower-cased header) is SDMX-CSV: its first column is ``DATAFLOW``."""
    return len(frame.columns) > 0 and frame.columns[0] == "dataflow"


def read_sdmx_csv(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """An SDMX-CSV 1.0 table of gosplan's reports or targets (as :func:`write_sdmx_csv` writes it, header
    lower-cased by the reader, rows numbered as in a spreadsheet) as an import frame: (plan,) indicator,
    unit, period, value, keeping the rows' numbers. ``frame.attrs`` says the kind and the SDMX column of
    each import column, so that a problem found later (an unknown code) names the file's own column.
    Problems of structure (another dataflow, a column the DSD does not have, a missing column or
    value) are reported with their rows and columns."""
    problems: list[Problem] = []
    flows = {f"{AGENCY}:{flow}({VERSION})".lower(): kind for kind, (flow, _, _) in FLOWS.items()}
    flow_column = frame["dataflow"].astype(str).str.strip()
    kinds = flow_column.str.lower().map(flows)
    for value, rows in flow_column[kinds.isna()].groupby(flow_column[kinds.isna()]).groups.items():
        problems.append(Problem(source, int(rows[0]), "DATAFLOW",
                                f"unknown dataflow {value!r} (expected {AGENCY}:DF_REPORTS({VERSION}) or "
                                f"{AGENCY}:DF_TARGETS({VERSION})); {len(rows)} row(s)"))
    found = sorted(set(kinds.dropna()))
    if len(found) > 1:
        problems.append(Problem(source, None, "DATAFLOW", "reports and targets in one file; export them apart"))
    if problems or not found:
        raise ValidationError(problems or [Problem(source, None, "DATAFLOW", "no dataflow named")])
    kind = found[0]
    dims = [*DIMENSIONS[kind], "TIME_PERIOD", "OBS_VALUE"]
    present = {c.upper(): c for c in frame.columns}
    for column in sorted(set(present) - {"DATAFLOW", *dims, "UNIT_MEASURE"}):
        problems.append(Problem(source, 1, column, f"unknown dimension or attribute {column!r} for "
                                                   f"{FLOWS[kind][1]} (expected {', '.join(dims[:-1])})"))
    for dim in dims:
        if dim not in present:
            problems.append(Problem(source, 1, dim, f"missing column {dim!r} of {FLOWS[kind][1]}"))
    if problems:
        raise ValidationError(problems)
    out = pd.DataFrame(index=frame.index)
    for dim in dims:
        values = frame[present[dim]]
        blank = values.isna() | values.astype(str).str.strip().eq("")
        problems += [Problem(source, int(row), dim, "missing") for row in values.index[blank][:1000]]
        out[COLUMN_OF[dim]] = values.astype(str).str.strip()
    if problems:
        raise ValidationError(problems)
    for column in ("plan", "indicator", "unit"):
        if column in out:
            out[column] = out[column].map(gosplan_code)
    out["period"] = out["period"].map(gosplan_period)
    out.attrs["kind"] = kind
    out.attrs["sdmx_columns"] = {COLUMN_OF[d]: d for d in dims}
    return out


def sdmx_problems(error: ValidationError, columns: dict[str, str]) -> ValidationError:
    """``error`` with each problem's column named as the SDMX-CSV file names it (``unit`` ->
    ``REPORTING_UNIT``)."""
    return ValidationError([Problem(p.source, p.row, columns.get(p.column or "", p.column), p.reason)
                            for p in error.problems])
