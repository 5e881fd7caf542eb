"""The action plan in plain words: one sentence per action, decision and milestone, with units and
readable numbers. The command line, the web pages, the review and the notices all call these, so an
action reads the same everywhere (and in the reader's language)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from gosplan.i18n import _
from gosplan.i18n.formats import format_month, format_month_name
from gosplan.model import Period
from gosplan.quantities import format_quantity

COUNTED = {"dwelling", "worker", "hectare"}
RATING_WORDS = {"green": "green", "amber": "amber", "red": "red", "no data": "no data"}


@dataclass
class Names:
    """Names of units and indicators (codes when a name is missing)."""

    units: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, str] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, service) -> Names:
        units = service.units().set_index("code")["name"].to_dict()
        ministries = service.store.unit_groups("ministry").drop_duplicates("group_code")
        english = (service.store.unit_groups("ministry", localized=False).drop_duplicates("group_code")
                   .set_index("group_code")["group_name"])
        for code, name in zip(ministries["group_code"], ministries["group_name"], strict=True):
            # A name in the reader's language is the ministry's own (석탄공업성); an English group name is the
            # branch it runs ("Coal industry" -> "ministry of coal industry").
            own = name != english.get(code, name)
            units.setdefault(code, str(name) if own else _("ministry of {name}", name=str(name).lower()))
        from gosplan.i18n import use_language

        local = service.sectors()
        sectors = dict(zip(local["code"], local["name"], strict=True))
        with use_language("en"):  # a plan stored before it kept sector codes names them in English
            english = service.store.sectors()
        sectors.update({name: sectors.get(code, name) for code, name in zip(english["code"], english["name"],
                                                                            strict=True)})
        return cls(units, service.indicators().set_index("code")["name"].to_dict(), sectors)

    def unit(self, code: str | None) -> str:
        return self.units.get(str(code), str(code))

    def named(self, code: str | None, stored: str | None = None) -> str:
        """A unit's name in the reader's language; the name stored with a plan only for a code unknown here."""
        return self.units[str(code)] if str(code) in self.units else str(stored or code)

    def indicator(self, code: str | None) -> str:
        return self.indicators.get(str(code), str(code)).lower()


def qty(value: float | None, uom: str) -> str:
    """A quantity with its unit; counted things (dwellings, workers) as whole numbers.

    >>> qty(12.4, "dwelling"), qty(2970.0, "t"), qty(None, "t")
    ('12 dwellings', '3.0 kt', '–')
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    if uom in COUNTED:
        value = float(round(float(value)))
        if uom != "hectare":
            return format_quantity(value, uom).replace(".00", "")
    return format_quantity(float(value), uom)


def month_words(month: str) -> str:
    """``2023-09`` -> ``end of September 2023``."""
    return _("end of {month}", month=format_month(Period.parse(month).start_date()))


def _names(names: Names | dict) -> Names:
    return names if isinstance(names, Names) else Names(units=dict(names))


def action_sentence(action: dict, names: Names | dict) -> str:
    """What the action asks, who gives what, and what it adds, in one sentence."""
    n = _names(names)
    r = action.get("resource") or {}
    unit, uom, measure = n.unit(action["unit"]), action["uom"], action["measure"]
    effect = qty(action.get("effect"), uom)
    what = n.indicator(action["indicator"])
    due = month_words(action["due"]) if action.get("due") else ""
    if measure == "supplier_delivery":
        parts = []
        for d in r.get("deliveries", []):
            supplier = n.named(d["supplier"], d.get("supplier_name"))
            if d.get("supplier_short"):
                parts.append(_("{quantity} of {good} from {supplier} (itself behind plan, so {unit} co-owns "
                               "its actions)", quantity=qty(d["quantity"], _good_uom(d)),
                               good=n.indicator(d["good"]), supplier=supplier, unit=unit))
            else:
                parts.append(_("{quantity} of {good} from {supplier}", quantity=qty(d["quantity"], _good_uom(d)),
                               good=n.indicator(d["good"]), supplier=supplier))
        return _("Deliver to {unit} by {due} the inputs its measures need to raise its {what} by {effect}: "
                 "{deliveries}",
                 unit=unit, effect=effect, what=what, due=due, deliveries="; ".join(parts))
    if measure == "peer_learning":
        return _("{unit} to learn from {peer} ({peer_rate} against its own {rate}) and raise its {what} by "
                 "{effect} by {due}", unit=unit, peer=n.named(r.get("peer"), r.get("peer_name")),
                 peer_rate=per_worker(r.get("peer_output_per_worker"), uom),
                 rate=per_worker(r.get("output_per_worker"), uom), effect=effect, what=what, due=due)
    if measure == "join_movement":
        return _("{unit} to join the movement started at {origin} ({campaign}), where joining raised output per "
                 "worker by at least {gain:.0%}: its {what} up by {effect} by {due}", unit=unit,
                 origin=n.unit(r.get("origin")), campaign=r.get("campaign"), gain=float(r.get("gain") or 0),
                 what=what, effect=effect, due=due)
    if measure == "move_workers":
        return _("Move {workers} from {source} to {unit} until {due}, raising its {what} by {effect}; {source} "
                 "gives up {cost} of output above its plan and stays at {after:.0%} of it",
                 workers=qty(r.get("quantity"), "worker"), source=n.named(r.get("source"), r.get("source_name")),
                 unit=unit, due=due, effect=effect, what=what, cost=qty(r.get("cost"), uom),
                 after=float(r.get("source_fulfilment_after") or 0))
    if measure == "irrigate":
        months = [_("{area} in {month}", area=qty(v, "hectare"),
                    month=format_month_name(Period.parse(m).start_date()))
                  for m, v in sorted((r.get("schedule") or {}).items()) if v and v > 0]
        return _("{unit}: {measure}, {effect} against {hazard} ({months}), after the monsoon and within 1.3 times "
                 "the area it brings into service a month; expected {protects} shortfall lower by {reduction}",
                 unit=unit, measure=measure_words(r.get("measure"), unit), effect=effect,
                 hazard=_(str(r.get("hazard"))) if r.get("hazard") in HAZARDS else r.get("hazard"),
                 months=", ".join(months), protects=n.indicator(r.get("protects")),
                 reduction=qty(r.get("shortfall_reduction"), "t"))
    return _("{measure} at {unit}: {what} raised by {effect} by {due}", measure=measure, unit=unit, effect=effect,
             what=what, due=due)


# The risk engine's default measures ("drainage in Nampo"); the same words as the review's risk annex.
MEASURE_KINDS = ("irrigation", "drainage", "embankment", "seedbeds")
HAZARDS = ("drought", "flood", "cold")


def measure_words(name: object, place: str) -> str:
    """A weather measure in the reader's language, named at ``place`` (the province, by its name here);
    a measure from a user's file keeps its own name."""
    kind, found, _place = str(name).partition(" in ")
    if found and kind in MEASURE_KINDS:
        return _("{measure} in {place}", measure=_(kind), place=place)
    return str(name)


def per_worker(value: float | None, uom: str) -> str:
    """Output per worker a month, per 1,000 workers where one worker makes less than one unit.

    >>> per_worker(0.02, "dwelling"), per_worker(3.5, "t")
    ('20 dwellings a month per 1,000 workers', '3.5 t a worker a month')
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    if float(value) < 1:
        return _("{quantity} a month per 1,000 workers", quantity=qty(1000 * float(value), uom))
    return _("{quantity} a worker a month", quantity=qty(value, uom))


def _good_uom(delivery: dict) -> str:
    return str(delivery.get("uom") or "t")


def decision_sentence(decision: dict, names: Names | dict) -> str:
    """A need no unit can meet within its pace and the resources around it: for the plenum."""
    n = _names(names)
    d = decision.get("details") or {}
    unit, uom = n.unit(decision["unit"]), decision["uom"]
    if decision["kind"] == "capacity":
        return _("{sector}: output capacity short by {gap} for this year's balance (at {unit}; shadow price "
                 "{price:.2f}): investment to repair or commission capacity",
                 sector=n.sectors.get(str(d.get("sector_code")), n.sectors.get(str(d.get("sector")), d.get("sector"))),
                 gap=qty(decision["quantity"], "million_won"), unit=unit,
                 price=float(d.get("shadow_price") or 0))
    if decision["kind"] == "area":
        return _("{unit}: {area} more to drain ({measure}) than 1.3 times its pace allows this season: "
                 "earth-moving machines or brigades from outside the province",
                 unit=unit, area=qty(decision["quantity"], "hectare"), measure=measure_words(d.get("measure"), unit))
    if decision["kind"] == "supply":
        short = d.get("inputs") or []
        inputs = ", ".join(_("{quantity} of {good}", quantity=qty(i["short"], _good_uom(i)),
                             good=n.indicator(i["good"])) for i in short)
        spares = ", ".join(_("{supplier} can spare {spare}", supplier=n.named(i["supplier"], i.get("supplier_name")),
                             spare=qty(i["spare"], _good_uom(i))) for i in short)
        return _("{unit}: raising its {what} by {quantity} needs {inputs} more than its suppliers can spare "
                 "({spares}); the plenum to find them from another producer, stocks or imports, or to lower the "
                 "target", unit=unit, what=n.indicator(decision["indicator"]), quantity=qty(decision["quantity"], uom),
                 inputs=inputs, spares=spares)
    workers = d.get("workers")
    quantity, what = qty(decision["quantity"], uom), n.indicator(decision["indicator"])
    if workers:
        return _("{unit}: {quantity} of {what} beyond what {multiple} times its own pace and the units ahead of "
                 "plan can give; it needs {workers} more, or the machines to match", unit=unit, quantity=quantity,
                 what=what, multiple=d.get("pace_multiple"), workers=qty(workers, "worker"))
    return _("{unit}: {quantity} of {what} beyond what {multiple} times its own pace can give, and no unit "
             "ahead of plan has workers to spare", unit=unit, quantity=quantity, what=what,
             multiple=d.get("pace_multiple"))


def milestones_line(milestones: list[dict], as_of: str) -> str:
    """``Milestones, output since July: Jul 512 dwellings, Aug 1,024 dwellings``."""
    first = Period.parse(as_of).shift(1).start_date()
    steps = ", ".join(_("{month} {quantity}", quantity=qty(m["planned"], m["uom"]),
                        month=format_month_name(Period.parse(m["month"]).start_date(), short=True))
                      for m in milestones)
    return _("Milestones, output since {start}: {steps}", start=format_month_name(first), steps=steps)


def done_when(action: dict, milestones: list[dict], as_of: str, names: Names | dict) -> str:
    """When the action counts as done: its unit reports the last milestone's output since the plan began,
    by the action's due date (``Done when Mine A reports at least 57.6 t of coal since July, by end of
    December 2023``)."""
    n = _names(names)
    due = month_words(action["due"]) if action.get("due") else ""
    if not milestones:
        return _("Done when the measure is carried out, by {due}", due=due)
    last = milestones[-1]
    return _("Done when {unit} reports at least {quantity} of {what} since {start}, by {due}",
             unit=n.unit(action["unit"]), quantity=qty(last["planned"], last["uom"]),
             what=n.indicator(last["indicator"]),
             start=format_month_name(Period.parse(as_of).shift(1).start_date()), due=due)


def action_milestones(document: dict, action: dict) -> list[dict]:
    """The milestones of ``action`` in a plan document, in month order."""
    return sorted((m for m in document["milestones"] if m["key"] == action["finding"]
                   and m["month"] in action["milestones"]), key=lambda m: m["month"])


def milestone_sentence(milestone: dict, as_of: str) -> str:
    """``By end of September 2023: 52.0 kt since July (plan path 60.0 kt)``."""
    first = Period.parse(as_of).shift(1).start_date()
    return _("By {when}: at least {planned} since {start} (plan path {path})", when=month_words(milestone["month"]),
             planned=qty(milestone["planned"], milestone["uom"]), start=format_month_name(first),
             path=qty(milestone["path"], milestone["uom"]))


def rating_word(rating: str) -> str:
    return _(RATING_WORDS.get(rating, rating))


def day_words(day: date | str | None) -> str:
    return "" if day is None else str(day)[:10]
