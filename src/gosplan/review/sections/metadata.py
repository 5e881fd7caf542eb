"""The review's annex of indicator metadata: what each indicator is, how it is calculated, where it
comes from, who answers for it and how often it is reported (shown when any indicator has metadata)."""

from __future__ import annotations

import pandas as pd

from gosplan.i18n import _
from gosplan.quantities import display_unit
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table


def _cell(value: object) -> str:
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


@section(order=88, key="indicator_metadata")  # before the units that have not reported, which stay last
def indicator_metadata(ctx: ReviewContext) -> Section | None:
    from gosplan.service.metadata import field_labels, indicator_catalogue

    catalogue = indicator_catalogue(ctx.service)
    fields = ["definition", "method", "source", "responsible", "frequency"]
    described = catalogue[catalogue[fields].notna().any(axis=1)]
    if described.empty:
        return None
    labels = field_labels()
    columns = [(_("Indicator (unit)"), "", lambda r: f"{r['name']} ({display_unit(r['unit'])})")]
    columns += [(labels[f], "", lambda r, f=f: _cell(r[f])) for f in fields]
    lead = _("What each indicator measures, how it is calculated, where the figures come from, which body "
             "answers for them and how often they are reported.")
    body = html_table(described, columns, css_class="table metadata")
    return Section("indicator_metadata", _("Indicator definitions"), body, [], {"indicator_metadata": described},
                   lead=lead)
