"""Validation rules: formulas over indicator codes (parsed safely), their evaluation over reported
values, and min-max bounds generated from history. Pure: frames in, frames out.

>>> from gosplan.engines.rules import parse_rule
>>> parse_rule("output <= capacity").operator
'<='
"""

from gosplan.engines.rules.evaluate import VIOLATION_COLUMNS, check_bounds, evaluate
from gosplan.engines.rules.formula import OPERATOR_TEXTS, Formula, Rule, parse_formula, parse_rule
from gosplan.engines.rules.minmax import generate_bounds

__all__ = ["OPERATOR_TEXTS", "VIOLATION_COLUMNS", "Formula", "Rule", "check_bounds", "evaluate",
           "generate_bounds", "parse_formula", "parse_rule"]
