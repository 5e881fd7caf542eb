"""The balance of the economy: key sectors, what the half-year means for every sector's output, and the
bottlenecks of the year's plan with their shadow prices (Kantorovich's objectively determined valuations).

Every number a summary sentence prints is formatted by the same function as the table cell it comes
from, so the text always equals the tables.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from gosplan.errors import NotFound
from gosplan.i18n import N_, _
from gosplan.review.document import ReviewContext, Section, period_label, section
from gosplan.review.format import heading_html, html_table, is_missing, note_html, pct

CLASS_COLOURS = {"key": "#7a1f1f", "backward-oriented": "#d4a72c", "forward-oriented": "#57606a",
                 "weak": "#afb8c1"}
TOP_EFFECTS = 3
TOP_OVER = 2  # over-fulfilled sectors told in words (the rest are in the table)
CLASS_WORDS = {"key": N_("key"), "backward-oriented": N_("backward-oriented"),
               "forward-oriented": N_("forward-oriented"), "weak": N_("weak")}


def class_word(klass: str) -> str:
    """A linkage class in the reader's language."""
    return _(CLASS_WORDS[klass]) if klass in CLASS_WORDS else klass


def money(value: object) -> str:
    """Million won with a sign, as in the tables and the sentences."""
    return "–" if is_missing(value) else f"{float(value):+,.0f}"


def index(value: object) -> str:
    return "–" if is_missing(value) else f"{float(value):.2f}"


def price(value: object) -> str:
    return "–" if is_missing(value) else f"{float(value):.3f}"


def share(value: object) -> str:
    return "–" if is_missing(value) else f"{float(value) * 100:+.1f} %"


def label_positions(x: pd.Series, y: pd.Series) -> list[str]:
    """Where each point's label goes so that none runs off the chart or onto a close neighbour's.

    Points in the right quarter of the x range are labelled to their left, those in the left quarter
    to their right; a point with a close neighbour just above it is labelled below.
    """
    xs, ys = x.to_numpy(float), y.to_numpy(float)
    low, high = float(xs.min()), float(xs.max())
    span_x, span_y = (high - low) or 1.0, (float(ys.max()) - float(ys.min())) or 1.0
    out = []
    for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
        near_above = any(j != i and abs(xs[j] - a) < 0.12 * span_x and 0 <= ys[j] - b < 0.1 * span_y
                         for j in range(len(xs)))
        side = "left" if a > low + 0.75 * span_x else "right" if a < low + 0.25 * span_x else "center"
        out.append(f"{'bottom' if near_above else 'top'} {side}")
    return out


def linkage_chart(linkages: pd.DataFrame, names: pd.Series) -> go.Figure:
    """Backward against forward linkage index; the lines at 1 mark the average, key sectors top right."""
    fig = go.Figure()
    positions = pd.Series(label_positions(linkages["backward_index"], linkages["forward_index"]),
                          index=linkages.index)
    for klass, colour in CLASS_COLOURS.items():
        part = linkages[linkages["class"].eq(klass)]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(x=part["backward_index"], y=part["forward_index"], mode="markers+text",
                                 name=class_word(klass), text=[names.get(s, s) for s in part.index],
                                 textposition=positions[part.index].tolist(), cliponaxis=False,
                                 marker={"size": 11, "color": colour}))
    fig.add_hline(y=1.0, line={"dash": "dot", "color": "#57606a"})
    fig.add_vline(x=1.0, line={"dash": "dot", "color": "#57606a"})
    x, y = linkages["backward_index"], linkages["forward_index"]
    pad_x, pad_y = 0.06 * float(x.max() - x.min() or 1.0), 0.12 * float(y.max() - y.min() or 1.0)
    fig.update_xaxes(range=[min(float(x.min()), 1.0) - pad_x, max(float(x.max()), 1.0) + pad_x])
    fig.update_yaxes(range=[min(float(y.min()), 1.0) - pad_y, max(float(y.max()), 1.0) + pad_y])
    fig.update_layout(height=440, template="plotly_white", margin={"l": 60, "r": 30, "t": 30, "b": 50},
                      xaxis_title=_("backward linkage index (pull on suppliers)"),
                      yaxis_title=_("forward linkage index (supply to others)"), font={"size": 11},
                      legend={"orientation": "h", "y": -0.18})
    return fig


def key_sentence(linkages: pd.DataFrame, names: pd.Series) -> str:
    key = linkages[linkages["class"].eq("key")]
    key = key.loc[(key["backward_index"] + key["forward_index"]).sort_values(ascending=False).index]
    if key.empty:
        return _("Key sectors: none of the {count} sectors has both linkages above average.", count=len(linkages))
    items = ", ".join(_("{name} ({backward} backward, {forward} forward)", name=names.get(s, s),
                        backward=index(r.backward_index), forward=index(r.forward_index)) for s, r in key.iterrows())
    return _("Key sectors (both linkages above average): {items}.", items=items)


def implication_sentences(effects: pd.DataFrame, names: pd.Series, period: str) -> list[str]:
    lines = []
    over = effects[effects["fulfilment"] > 1].sort_values("direct_change", ascending=False).head(TOP_OVER)
    for s, r in over.iterrows():
        values = {"name": names.get(s, s), "period": period, "fulfilment": pct(r.fulfilment, 1),
                  "direct": money(r.direct_change), "total": money(r.total_change),
                  "share": share(r.total_change_share)}
        if r.total_change < 0:
            lines.append(_("{name} over-fulfilled the {period} plan ({fulfilment}): a direct change of {direct} "
                           "million won, a total effect on its output of {total} million won ({share}); the "
                           "shortfalls elsewhere more than absorb it.", **values))
        else:
            lines.append(_("{name} over-fulfilled the {period} plan ({fulfilment}): a direct change of {direct} "
                           "million won, a total effect on its output of {total} million won ({share}); its output "
                           "still rises.", **values))
    largest = effects.reindex(effects["total_change"].abs().sort_values(ascending=False).index).head(TOP_EFFECTS)
    items = "; ".join(f"{names.get(s, s)} {money(r.total_change)} ({share(r.total_change_share)})"
                      for s, r in largest.iterrows())
    lines.append(_("Largest effects of the {period} fulfilment on required output (million won): {items}.",
                   period=period, items=items))
    return lines


def bottleneck_sentence(binding: pd.DataFrame, names: pd.Series, year: int, delivered: float) -> str:
    if binding.empty:
        return _("The {year} plan fits within the stored capacities: no capacity binds.", year=year)
    items = ", ".join(f"{_constraint_name(r.constraint, names)} ({price(r.shadow_price)})"
                      for r in binding.itertuples())
    return _("Balanced within the stored capacities, the {year} plan delivers {share} of its final-demand targets; "
             "binding, with shadow prices: {items}.", year=year, share=pct(delivered, 1), items=items)


CONSTRAINT_WORDS = {"labour": N_("labour")}


def _constraint_name(constraint: str, names: pd.Series) -> str:
    kind, _sep, sector = constraint.partition(":")
    if kind == "capacity":
        return _("{sector} capacity", sector=names.get(sector, sector))
    return _(CONSTRAINT_WORDS[kind]) if kind in CONSTRAINT_WORDS else kind


@section(order=55, key="balance")
def balance(ctx: ReviewContext) -> Section | None:
    from gosplan.service.balance import h1_implications, key_sectors, plan_balance

    try:
        key = key_sectors(ctx.service)
    except NotFound:
        return None
    names = ctx.service.sectors().set_index("code")["name"]
    linkages = key.table
    ordered = linkages.loc[(linkages["backward_index"] + linkages["forward_index"]).sort_values(
        ascending=False).index]
    link_columns = [
        (_("Sector"), "", lambda r: names.get(r.name, r.name)),
        (_("Backward index"), "num", lambda r: index(r["backward_index"])),
        (_("Forward index"), "num", lambda r: index(r["forward_index"])),
        (_("Output multiplier"), "num", lambda r: index(r["backward"])),
        (_("Class"), "", lambda r: class_word(r["class"])),
    ]
    figure = linkage_chart(linkages, names)
    body = (heading_html(_("Key sectors")) + figure.to_html(full_html=False, include_plotlyjs=False,
                                                            config={"displaylogo": False, "staticPlot": True})
            + html_table(ordered, link_columns)
            + note_html(_("Backward linkage: column sums of the Leontief inverse (Rasmussen); forward: row sums of the "
                          "Ghosh inverse (Miller & Blair 12.2); indices divide by the mean, so 1 is average.")))
    summary = [key_sentence(linkages, names)]
    tables: dict[str, pd.DataFrame] = {"linkages": linkages}

    try:
        effects = h1_implications(ctx.service, ctx.period).table
    except NotFound:
        effects = None
    if effects is not None:
        ordered_effects = effects.reindex(effects["total_change"].abs().sort_values(ascending=False).index)
        effect_columns = [
            (_("Sector"), "", lambda r: names.get(r.name, r.name)),
            (_("Fulfilment"), "num", lambda r: pct(r["fulfilment"], 1)),
            (_("Direct change"), "num", lambda r: money(r["direct_change"])),
            (_("Indirect"), "num", lambda r: money(r["indirect_change"])),
            (_("Total effect"), "num", lambda r: money(r["total_change"])),
            (_("of output"), "num", lambda r: share(r["total_change_share"])),
        ]
        body += (heading_html(_("What the {period} fulfilment implies for every sector (million won)",
                                period=period_label(ctx.period)))
                 + html_table(ordered_effects, effect_columns)
                 + note_html(_("Direct change: (fulfilment − 1) × the sector's final demand in the table; total "
                               "effect: the Leontief inverse applied to the direct changes (x = L y), i.e. the output "
                               "every sector must make, or no longer needs to make, to supply them.")))
        summary += implication_sentences(effects, names, period_label(ctx.period))
        tables["implications"] = effects

    try:
        balanced = plan_balance(ctx.service, ctx.year)
    except NotFound:
        balanced = None
    if balanced is not None:
        binding = balanced.binding_capacities()
        bind_columns = [
            (_("Constraint"), "", lambda r: _constraint_name(r["constraint"], names)),
            (_("Limit"), "num", lambda r: f"{float(r['limit']):,.0f}"),
            (_("Shadow price"), "num", lambda r: price(r["shadow_price"])),
        ]
        body += (heading_html(_("Bottlenecks of the {year} plan (final demand delivered {share} of the targets)",
                                year=ctx.year, share=pct(balanced.result.fulfilment, 1)))
                 + html_table(binding, bind_columns)
                 + note_html(_("The plan's final-demand targets (the table's final demand times the planned growth "
                               "over last year's outturn) balanced within the stored capacities and labour by linear "
                               "programming (HiGHS). Shadow price: final output gained per unit more of the "
                               "constraint (won per won of capacity, million won per worker): Kantorovich's "
                               "objectively determined valuations.")))
        summary.append(bottleneck_sentence(binding, names, ctx.year, balanced.result.fulfilment))
        tables["binding"] = binding
        tables["plan"] = balanced.result.plan
    return Section("balance", _("Balance of the economy"), body, summary, tables)

