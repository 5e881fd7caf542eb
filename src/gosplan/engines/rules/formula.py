"""Formulas of validation rules: small arithmetic over indicator codes, parsed without ``eval``.

A formula is read by Python's :mod:`ast` and every node is checked against a whitelist: numbers,
indicator codes, ``+ - * /``, unary minus, and the functions ``abs``, ``min``, ``max`` and
``children(code)`` (the sum of the unit's children's values of that indicator). A code that is not
a Python name (``coal.hard``) is written in brackets: ``[coal.hard]``. Anything else — attributes,
subscripts, calls of other functions, strings — is refused with its position.

>>> rule = parse_rule("coal_used <= 0.7 * electricity")
>>> rule.left.text, rule.operator, rule.right.text, sorted(rule.indicators)
('coal_used', '<=', '0.7 * electricity', ['coal_used', 'electricity'])
>>> sorted(parse_formula("children(coal) + [coal.hard]").indicators)
['coal', 'coal.hard']
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from gosplan.errors import InvalidValue

OPERATORS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
OPERATOR_TEXTS = tuple(OPERATORS.values())
FUNCTIONS = ("abs", "min", "max", "children")
_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_BRACKETED = re.compile(r"(?<![\w\])])\[([A-Za-z0-9_.\-]+)\]")


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, its tree and the indicator codes it names."""

    text: str
    tree: ast.expr
    indicators: frozenset[str]
    names: dict[str, str]  # placeholder name -> indicator code, for bracketed codes


@dataclass(frozen=True)
class Rule:
    """``left operator right``, both sides :class:`Formula`."""

    left: Formula
    operator: str
    right: Formula

    @property
    def indicators(self) -> frozenset[str]:
        return self.left.indicators | self.right.indicators

    @property
    def text(self) -> str:
        return f"{self.left.text} {self.operator} {self.right.text}"


def parse_formula(text: str) -> Formula:
    """Check one side of a rule; :class:`~gosplan.errors.InvalidValue` names what is not allowed."""
    names: dict[str, str] = {}

    def placeholder(match: re.Match) -> str:
        name = f"_c{len(names)}_"
        names[name] = match[1]
        return name

    source = _BRACKETED.sub(placeholder, str(text).strip())
    if not source:
        raise InvalidValue("empty formula")
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise InvalidValue(f"cannot read formula {text!r}: {exc.msg} at column {exc.offset}") from None
    indicators: set[str] = set()
    _check(tree, text, names, indicators)
    return Formula(str(text).strip(), tree, frozenset(indicators), names)


def parse_rule(text: str | None = None, *, left: str | None = None, operator: str | None = None,
               right: str | None = None) -> Rule:
    """A rule from one text (``a <= 0.7 * b``) or from its three parts."""
    if text is not None:
        names: dict[str, str] = {}

        def placeholder(match: re.Match) -> str:
            name = f"_c{len(names)}_"
            names[name] = match[0]
            return name

        source = _BRACKETED.sub(placeholder, str(text).strip())
        try:
            tree = ast.parse(source, mode="eval").body
        except SyntaxError as exc:
            raise InvalidValue(f"cannot read rule {text!r}: {exc.msg} at column {exc.offset}") from None
        if not isinstance(tree, ast.Compare) or len(tree.ops) != 1:
            raise InvalidValue(f"a rule compares two sides once (e.g. a <= 0.7 * b): {text!r}")
        op = OPERATORS.get(type(tree.ops[0]))
        if op is None:
            raise InvalidValue(f"operator not allowed in {text!r}: use one of {', '.join(OPERATOR_TEXTS)}")

        def side(node: ast.expr) -> str:
            segment = ast.get_source_segment(source, node) or ""
            for name, original in names.items():
                segment = segment.replace(name, original)
            return segment

        left, operator, right = side(tree.left), op, side(tree.comparators[0])
    if operator not in OPERATOR_TEXTS:
        raise InvalidValue(f"unknown operator {operator!r}: one of {', '.join(OPERATOR_TEXTS)}")
    return Rule(parse_formula(left or ""), operator, parse_formula(right or ""))


def _check(node: ast.AST, text: str, names: dict[str, str], indicators: set[str]) -> None:
    where = f" at column {getattr(node, 'col_offset', 0) + 1} of {text!r}"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise InvalidValue(f"only numbers and indicator codes are allowed: {node.value!r}{where}")
    elif isinstance(node, ast.Name):
        indicators.add(names.get(node.id, node.id))
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINARY):
            raise InvalidValue(f"operator not allowed (use + - * /){where}")
        _check(node.left, text, names, indicators)
        _check(node.right, text, names, indicators)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise InvalidValue(f"operator not allowed{where}")
        _check(node.operand, text, names, indicators)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise InvalidValue(f"function not allowed (only {', '.join(FUNCTIONS)}){where}")
        if node.func.id == "children":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
                raise InvalidValue(f"children() takes one indicator code{where}")
        elif not node.args or (node.func.id == "abs" and len(node.args) != 1):
            raise InvalidValue(f"{node.func.id}() needs {'one argument' if node.func.id == 'abs' else 'arguments'}"
                               f"{where}")
        for arg in node.args:
            _check(arg, text, names, indicators)
    else:
        raise InvalidValue(f"not allowed in a formula: {type(node).__name__.lower()}{where}")
