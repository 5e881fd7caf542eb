"""The tables of the store (SQLAlchemy Core).

Codes (``"PY"``, ``"steel"``) are what the API speaks; inside the store units and indicators carry
integer surrogate keys so that the 18-million-row reports table stays narrow. A month is stored as
its ordinal (``year * 12 + month - 1``, see :func:`gosplan.model.month_label`), which makes a
year-to-date an integer range.

Reports keep every revision. The current one has ``is_current`` set; a correction flips the previous
row's flag in the same transaction, and a partial covering index over the current rows of each year serves
the year-to-date aggregations. Who wrote a row and from which source lives once per write in
``batches``; ``reports.recorded_at`` is only filled when the writer supplied its own time (late
reports), otherwise the batch's time applies.

This module mirrors the Alembic migrations in ``migrations/versions``; a test checks that they agree.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

CODE = 64  # longest code accepted; the importers refuse longer ones with a readable message
NAME = 400

meta = Table(
    "meta",
    metadata,
    Column("key", String(CODE), primary_key=True),
    Column("value", Text, nullable=False),
)

sectors = Table(
    "sectors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(CODE), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False),
    Column("name_ko", String(NAME)),  # the Korean name (migration 0009_i18n); None: the English one
    Column("parent", String(CODE)),
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(CODE), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False),
    Column("name_ko", String(NAME)),  # the Korean name (migration 0009_i18n); None: the English one
    Column("kind", String(CODE), nullable=False),
    Column("parent", String(CODE)),
    Column("sector", String(CODE)),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(CODE), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False),
    Column("name_ko", String(NAME)),  # the Korean name (migration 0009_i18n); None: the English one
    Column("unit", String(CODE), nullable=False),
    Column("aggregation", String(16), nullable=False),
    Column("time_aggregation", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("sector", String(CODE)),
    Column("key", Boolean, nullable=False),
    Column("role", String(16), nullable=False),
    # Metadata (migration 0009_workflow_data): what the figure is, how it is made, where it comes from,
    # who answers for it and how often it is reported; the unit of measure is ``unit`` above.
    Column("definition", Text),
    Column("method", Text),
    Column("source", Text),
    Column("responsible", Text),
    Column("frequency", Text),
    # The texts above in Korean (migration 0011_texts_ko); None: the English one is shown.
    Column("definition_ko", Text),
    Column("method_ko", Text),
    Column("source_ko", Text),
    Column("responsible_ko", Text),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(CODE), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False),
    Column("name_ko", String(NAME)),  # the Korean name (migration 0009_i18n); None: the English one
    Column("kind", String(CODE), nullable=False),
    Column("start_year", Integer, nullable=False),
    Column("end_year", Integer, nullable=False),
    Column("parent", String(CODE)),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("source", String(NAME), nullable=False),
    Column("recorded_by", String(NAME), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

targets = Table(
    "targets",
    metadata,
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("indicator_id", Integer, ForeignKey("indicators.id"), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("period", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    PrimaryKeyConstraint("plan_id", "indicator_id", "unit_id", "period", name="pk_targets"),
    # The targets of one period for a status (a year's periods, one read each): covering, so a
    # five-year plan's other years are never touched.
    Index("ix_targets_period", "period", "plan_id", "indicator_id", "unit_id", "value"),
)

target_history = Table(
    "target_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("indicator_id", Integer, ForeignKey("indicators.id"), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("period", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("previous_value", Float),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Index("ix_target_history_key", "plan_id", "indicator_id", "unit_id", "period"),
)

reports = Table(
    "reports",
    metadata,
    Column("indicator_id", Integer, ForeignKey("indicators.id"), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("month", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("recorded_at", DateTime),
    PrimaryKeyConstraint("indicator_id", "unit_id", "month", "revision", name="pk_reports"),
    # Year-to-date totals: the current rows of one year, already in (indicator, unit, month) order, so
    # the GROUP BY streams without sorting and never touches the table (covering).
    Index(
        "ix_reports_current_year",
        text("(month / 12)"),
        "indicator_id",
        "unit_id",
        "month",
        "value",
        sqlite_where=text("is_current"),
        postgresql_where=text("is_current"),
    ),
    # Month ranges of current rows (reads by period, "is this month new?" before a bulk load).
    Index(
        "ix_reports_current_month",
        "month",
        sqlite_where=text("is_current"),
        postgresql_where=text("is_current"),
    ),
)

# The current value of each report pivoted to month columns, derived from ``reports`` (see
# store/_report_months.py): a year to date is one row per (indicator, unit) instead of twelve.
report_months = Table(
    "report_months",
    metadata,
    Column("year", Integer, nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("unit_id", Integer, nullable=False),
    *[Column(f"m{m}", Float) for m in range(1, 13)],
    PrimaryKeyConstraint("year", "indicator_id", "unit_id", name="pk_report_months"),
)

# What was written to ``reports`` and not yet copied into ``report_months``: a (month, indicator)
# pair for a big write, a (month, indicator, unit) cell for a small one (unit_id NULL: every unit).
report_months_pending = Table(
    "report_months_pending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", Integer, nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("unit_id", Integer),
)

# When the first revision of each report arrived (its own recorded_at, else its batch's time), pivoted
# like ``report_months``: completeness reads one row per (indicator, unit) and year (store/_arrivals.py).
report_arrivals = Table(
    "report_arrivals",
    metadata,
    Column("year", Integer, nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("unit_id", Integer, nullable=False),
    *[Column(f"m{m}", DateTime) for m in range(1, 13)],
    PrimaryKeyConstraint("year", "indicator_id", "unit_id", name="pk_report_arrivals"),
)

# Derived from other tables and rebuilt from them on demand: not part of a store's content.
DERIVED_TABLES = frozenset({"report_months", "report_months_pending", "report_arrivals"})

actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(NAME), nullable=False),
    Column("owner_unit", String(CODE), nullable=False),
    Column("plan", String(CODE)),
    Column("indicator", String(CODE)),
    Column("unit", String(CODE)),
    Column("period", String(8)),
    Column("due", Date),
    Column("status", String(16), nullable=False),
    Column("check", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("details", Text),
    Index("ix_actions_status", "status"),
)

# -- construction projects, farms and weather (migration 0002_projects) -----------------------------

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(CODE), nullable=False, unique=True),
    Column("name", String(NAME), nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("budget", Float, nullable=False),
    Column("start", String(8), nullable=False),
    Column("planned_end", String(8), nullable=False),
    Column("dwellings", Float, nullable=False),
    Column("name_ko", String(NAME)),  # the Korean name (migration 0011_texts_ko)
)

project_milestones = Table(
    "project_milestones",
    metadata,
    Column("project", String(CODE), nullable=False),
    Column("milestone", String(NAME), nullable=False),
    Column("planned_date", String(10), nullable=False),
    Column("planned_value", Float, nullable=False),
    Column("dwellings", Float, nullable=False),
    PrimaryKeyConstraint("project", "milestone", name="pk_project_milestones"),
)

# Progress reports keep every revision, like reports: a correction is a new revision.
project_progress = Table(
    "project_progress",
    metadata,
    Column("project", String(CODE), nullable=False),
    Column("month", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("percent_complete", Float, nullable=False),
    Column("actual_cost", Float, nullable=False),
    Column("dwellings_completed", Float, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    PrimaryKeyConstraint("project", "month", "revision", name="pk_project_progress"),
)

farms = Table(
    "farms",
    metadata,
    Column("unit", String(CODE), primary_key=True),
    Column("crop_area_ha", Float, nullable=False),
    Column("irrigated_ha", Float, nullable=False),
)

weather_events = Table(
    "weather_events",
    metadata,
    Column("province", String(CODE), nullable=False),
    Column("period", String(8), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("severity", Float, nullable=False),
    Column("description", Text, nullable=False),
    Column("description_ko", Text),  # in Korean (migration 0011_texts_ko)
    PrimaryKeyConstraint("province", "period", "kind", name="pk_weather_events"),
)

# -- accounts, API tokens, audit log, idempotency keys (migration 0002_accounts) ---------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(CODE), nullable=False, unique=True),
    Column("password_hash", String(NAME), nullable=False),
    Column("role", String(16), nullable=False),
    Column("subtree", String(CODE)),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("language", String(16)),  # the language the user chose for the pages (0009_i18n); None: the browser's
    # A scope by a grouping beside the hierarchy (0011_ministry_scope): the units of group scope_group of
    # grouping scope_grouping (e.g. "ministry", "coal_industry") and their subtrees; None: no such scope.
    Column("scope_grouping", String(CODE)),
    Column("scope_group", String(CODE)),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(NAME), nullable=False),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("subtree", String(CODE)),
    Column("created_by", String(CODE), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("last_used_at", DateTime),
    Column("scope_grouping", String(CODE)),  # as users' (0011_ministry_scope)
    Column("scope_group", String(CODE)),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("source", String(NAME), nullable=False),
    Column("action", String(CODE), nullable=False),
    Column("object", String(NAME), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Index("ix_audit_log_at", "at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(NAME), primary_key=True),
    Column("actor", String(NAME), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("response", Text),
    Column("request_hash", String(CODE)),  # migration 0006_sessions: a reused key must carry the same request
)

# -- server-side sessions and failed sign-ins (migration 0006_sessions) ------------------------------

# ``id`` is the SHA-256 of the cookie's random token: the cookie alone cannot be read back from the store.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(CODE), primary_key=True),
    Column("user_name", String(CODE), nullable=False),
    Column("csrf", String(CODE), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
    Index("ix_sessions_user_name", "user_name"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(NAME), nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

# -- alerts from forecasts and exception detection (migration 0003_alerts) ---------------------------

# One row per (series, kind, period): detect reports the same change again while it stays in its
# window, and the unique key makes a repeated raise a no-op instead of a duplicate.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(CODE), nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("period", String(8), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("message", Text, nullable=False),
    Column("message_ko", Text),  # the message in Korean (migration 0011_texts_ko)
    Column("status", String(16), nullable=False),
    Column("raised", String(8), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("acknowledged_by", String(NAME)),
    Column("acknowledged_at", DateTime),
    Column("resolved_by", String(NAME)),
    Column("resolved_at", DateTime),
    Column("escalation_level", Integer, nullable=False, server_default="0"),
    Column("escalated_to", String(CODE)),
    UniqueConstraint("indicator", "unit", "kind", "period", name="uq_alerts_series_kind_period"),
    Index("ix_alerts_status", "status"),
)

# -- movements (migration 0003_campaigns); months are ordinals like reports' --------------------------

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(CODE), nullable=False, unique=True),
    Column("origin_unit", String(CODE), nullable=False),
    Column("start", Integer, nullable=False),
    Column("indicator", String(CODE), nullable=False),
    Column("description", Text, nullable=False),
    Column("description_ko", Text),  # in Korean (migration 0011_texts_ko)
)

campaign_members = Table(
    "campaign_members",
    metadata,
    Column("campaign", String(CODE), nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("joined", Integer, nullable=False),
    PrimaryKeyConstraint("campaign", "unit", name="pk_campaign_members"),
)

# -- input-output tables and capacities (migration 0003_balance) -------------------------------------

io_tables = Table(
    "io_tables",
    metadata,
    Column("name", String(CODE), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("source", String(NAME), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

# One cell of a table in long format: part "Z" (row sells to col), "Y" (final demand by category),
# "V" (value added rows by sector), "x" (gross output) or "labour" (workers), col "value" for vectors.
io_cells = Table(
    "io_cells",
    metadata,
    Column("table_name", String(CODE), ForeignKey("io_tables.name"), nullable=False),
    Column("part", String(16), nullable=False),
    Column("row", String(CODE), nullable=False),
    Column("col", String(CODE), nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("table_name", "part", "row", "col", name="pk_io_cells"),
)

capacities = Table(
    "capacities",
    metadata,
    Column("sector", String(CODE), nullable=False),
    Column("year", Integer, nullable=False),
    Column("capacity", Float, nullable=False),
    Column("labour", Float),
    PrimaryKeyConstraint("sector", "year", name="pk_capacities"),
)

# -- plan making: norms, physical capacities, balance items, plan versions, counter-plans (0006_plans) ------

# Input norm: units of ``good`` per unit of output of the indicator ``consumer`` (both indicator codes).
plan_norms = Table(
    "plan_norms",
    metadata,
    Column("good", String(CODE), nullable=False),
    Column("consumer", String(CODE), nullable=False),
    Column("norm", Float, nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("source", String(16), nullable=False),
    Column("note", String(NAME)),
    Column("recorded_by", String(NAME), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    PrimaryKeyConstraint("good", "consumer", name="pk_plan_norms"),
)

# Capacity of a unit for an indicator per year in the indicator's unit, as of a date; ``stale_since``
# is set when observed output exceeded it (the record needs revising, it is not a binding limit).
physical_capacities = Table(
    "physical_capacities",
    metadata,
    Column("unit", String(CODE), nullable=False),
    Column("indicator", String(CODE), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("capacity", Float, nullable=False),
    Column("source", String(NAME), nullable=False),
    Column("recorded_by", String(NAME), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("stale_since", DateTime),
    PrimaryKeyConstraint("unit", "indicator", "as_of", name="pk_physical_capacities"),
)

# Resources and uses of a good other than production and productive consumption, per year.
balance_items = Table(
    "balance_items",
    metadata,
    Column("good", String(CODE), nullable=False),
    Column("year", Integer, nullable=False),
    Column("item", String(16), nullable=False),
    Column("value", Float, nullable=False),
    Column("source", String(NAME), nullable=False),
    PrimaryKeyConstraint("good", "year", "item", name="pk_balance_items"),
)

plan_versions = Table(
    "plan_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(CODE), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("parent", String(CODE)),
    Column("five_year_plan", String(CODE)),
    Column("rule", String(16), nullable=False),
    Column("reason", Text),
    Column("created_by", String(NAME), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("adopted_by", String(NAME)),
    Column("adopted_at", DateTime),
    Column("accepted_deficits", Text),
    Column("plan", String(CODE)),
)

# No foreign key on version_id: a trigger makes the check once per statement (migration 0009_plan_rest;
# PostgreSQL's per-row foreign-key check took most of the time of writing a national draft).
plan_version_targets = Table(
    "plan_version_targets",
    metadata,
    Column("version_id", Integer, nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("indicator", String(CODE), nullable=False),
    Column("value", Float, nullable=False),
    PrimaryKeyConstraint("version_id", "unit", "indicator", name="pk_plan_version_targets"),
)

# The national control figure of each indicator of a version and what it was made from.
plan_control_figures = Table(
    "plan_control_figures",
    metadata,
    Column("version_id", Integer, ForeignKey("plan_versions.id"), nullable=False),
    Column("indicator", String(CODE), nullable=False),
    Column("control_figure", Float, nullable=False),
    Column("five_year_plan", Float),
    Column("expected_last_year", Float),
    Column("trend_growth", Float),
    Column("from_results", Float),
    Column("source", String(32), nullable=False),
    PrimaryKeyConstraint("version_id", "indicator", name="pk_plan_control_figures"),
)

counter_plans = Table(
    "counter_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", Integer, ForeignKey("plan_versions.id"), nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("indicator", String(CODE), nullable=False),
    Column("period", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("submitted_by", String(NAME), nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    Column("source", String(NAME), nullable=False),
    Index("ix_counter_plans_key", "version_id", "unit", "indicator", "period"),
)

# -- reporting workflow: indicator sets, validation rules and their findings (migration 0006_workflow) --

# An indicator set is what a unit owes every month (DHIS2's data set): its indicators, and the units it
# is assigned to, from ``first_month`` to ``last_month`` (ordinals; NULL = open).
indicator_sets = Table(
    "indicator_sets",
    metadata,
    Column("code", String(CODE), primary_key=True),
    Column("name", String(NAME), nullable=False),
)

indicator_set_members = Table(
    "indicator_set_members",
    metadata,
    Column("set_code", String(CODE), ForeignKey("indicator_sets.code"), nullable=False),
    Column("indicator", String(CODE), nullable=False),
    PrimaryKeyConstraint("set_code", "indicator", name="pk_indicator_set_members"),
)

indicator_set_units = Table(
    "indicator_set_units",
    metadata,
    Column("set_code", String(CODE), ForeignKey("indicator_sets.code"), nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("first_month", Integer),
    Column("last_month", Integer),
    PrimaryKeyConstraint("set_code", "unit", name="pk_indicator_set_units"),
)

# A validation rule compares two small expressions over indicator codes of one unit and month.
validation_rules = Table(
    "validation_rules",
    metadata,
    Column("code", String(CODE), primary_key=True),
    Column("name", String(NAME), nullable=False),
    Column("left", Text, nullable=False),
    Column("operator", String(4), nullable=False),
    Column("right", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# Bounds of one unit's values of one indicator: generated from history or set by hand.
minmax_bounds = Table(
    "minmax_bounds",
    metadata,
    Column("unit", String(CODE), nullable=False),
    Column("indicator", String(CODE), nullable=False),
    Column("low", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("generated", Boolean, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    PrimaryKeyConstraint("unit", "indicator", name="pk_minmax_bounds"),
)

# What a rule found: one row per (rule, unit, month); ``rule`` is a rule code or ``minmax:<indicator>``.
rule_violations = Table(
    "rule_violations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(NAME), nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("period", String(8), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("left_value", Float),
    Column("right_value", Float),
    Column("status", String(16), nullable=False),
    Column("found_at", DateTime, nullable=False),
    Column("comment", Text),
    Column("changed_by", String(NAME)),
    Column("changed_at", DateTime),
    UniqueConstraint("rule", "unit", "period", name="uq_rule_violations_key"),
    Index("ix_rule_violations_period", "period", "status"),
)

# The approval state of a unit's subtree for a month: submitted, approved (at ``level``), accepted or
# locked. No row = open. A row at a unit covers its whole subtree (see engines/approvals.py).
approvals = Table(
    "approvals",
    metadata,
    Column("unit", String(CODE), nullable=False),
    Column("period", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("level", Integer, nullable=False),
    Column("changed_by", String(NAME), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    # The indicator set whose approval chain the state belongs to ("" = the chain of the hierarchy's levels).
    Column("set_code", String(CODE), nullable=False, server_default=""),
    PrimaryKeyConstraint("unit", "period", "set_code", name="pk_approvals"),
    Index("ix_approvals_period", "period"),
)

# An indicator set's own approval chain: the kind of unit acting at each level (0 submits, the last
# accepts); sets without a chain follow the hierarchy's levels.
approval_chains = Table(
    "approval_chains",
    metadata,
    Column("set_code", String(CODE), ForeignKey("indicator_sets.code"), nullable=False),
    Column("level", Integer, nullable=False),
    Column("kind", String(CODE), nullable=False),
    PrimaryKeyConstraint("set_code", "level", name="pk_approval_chains"),
)

# Groupings beside the territorial hierarchy (migration 0008_unit_groups): a unit belongs to one group of each
# grouping, e.g. grouping "ministry" -> group "coal" ("Ministry of Coal Industry"), "technology" -> "hydro".
unit_groups = Table(
    "unit_groups",
    metadata,
    Column("unit", String(CODE), nullable=False),
    Column("grouping", String(CODE), nullable=False),
    Column("group_code", String(CODE), nullable=False),
    Column("group_name", String(NAME), nullable=False),
    Column("group_name_ko", String(NAME)),  # the Korean name (migration 0011_texts_ko)
    PrimaryKeyConstraint("unit", "grouping", name="pk_unit_groups"),
    Index("ix_unit_groups_grouping", "grouping", "group_code"),
)

# Versions of the adopted action plan (migration 0009_action_plans): a planner proposes a version, an
# admin records its adoption by a named body on a date; a later version amends it and must say why.
# ``document`` is the version's findings, actions, milestones and decisions as JSON, never changed.
action_plans = Table(
    "action_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("proposed_by", String(CODE), nullable=False),
    Column("proposed_at", DateTime, nullable=False),
    Column("reason", Text),
    Column("adopted_by_body", String(NAME)),
    Column("adopted_on", Date),
    Column("recorded_by", String(CODE)),
    Column("recorded_at", DateTime),
    Column("document", Text, nullable=False),
    UniqueConstraint("period", "version", name="uq_action_plans_version"),
)

# -- mail and late entry (migration 0009_mail_outbox) -----------------------------------------------

# Every message waits here until an SMTP server has taken it: a down server loses nothing. ``status``:
# held (for the recipient's daily digest), queued, sending (claimed by one sender), sent, failed (gave up
# after the last attempt; ``gosplan mail retry`` queues it again), digested (went out inside a digest).
# ``key`` makes queuing idempotent: the same event queued twice for a recipient is one message.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(NAME), nullable=False, unique=True),
    Column("kind", String(CODE), nullable=False),
    Column("user_name", String(CODE)),
    Column("recipient", String(NAME), nullable=False),
    Column("subject", String(NAME), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text),
    Column("claimed_by", String(CODE)),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Column("digest_id", Integer),
    Index("ix_mail_outbox_status", "status", "next_attempt_at"),
)

# A user's address and choices: which kinds of message (comma-separated; empty = none) and whether
# they come at once or gathered into one daily digest.
mail_settings = Table(
    "mail_settings",
    metadata,
    Column("user_name", String(CODE), primary_key=True),
    Column("email", String(NAME), nullable=False),
    Column("kinds", String(NAME), nullable=False),
    Column("digest", Boolean, nullable=False),
)

# A planner's permission to enter reports of a unit's subtree for a month after data entry has closed.
late_permissions = Table(
    "late_permissions",
    metadata,
    Column("unit", String(CODE), nullable=False),
    Column("period", String(8), nullable=False),
    Column("granted_by", String(NAME), nullable=False),
    Column("granted_at", DateTime, nullable=False),
    Column("reason", Text, nullable=False),
    PrimaryKeyConstraint("unit", "period", name="pk_late_permissions"),
)

# Report revisions entered after data entry closed for their month, and on whose authority.
late_reports = Table(
    "late_reports",
    metadata,
    Column("indicator", String(CODE), nullable=False),
    Column("unit", String(CODE), nullable=False),
    Column("period", String(8), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("entered_by", String(NAME), nullable=False),
    Column("permitted_by", String(NAME), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    PrimaryKeyConstraint("indicator", "unit", "period", "revision", name="pk_late_reports"),
    Index("ix_late_reports_period", "period"),
)

# -- potentiality (migration 0009_potentiality) -----------------------------------------------------------

# What a project adds beyond its earned value: its kind, the product (an indicator) whose capacity it
# adds (per year, in the indicator's unit) or whose input norm it improves (``norm_good`` per unit of the
# product changes by ``norm_change``, a fraction: -0.08 is 8 % less), and for a research project the
# movement that spreads the technology it introduces. A project without a row is a housing project.
project_outcomes = Table(
    "project_outcomes",
    metadata,
    Column("project", String(CODE), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("indicator", String(CODE)),
    Column("capacity", Float),
    Column("norm_good", String(CODE)),
    Column("norm_change", Float),
    Column("campaign", String(CODE)),
)

# How a movement measures the units of each sector that may join it: ``indicator`` per ``per`` (an
# output per worker, or a consumption norm such as energy used per unit of output).
campaign_measures = Table(
    "campaign_measures",
    metadata,
    Column("campaign", String(CODE), nullable=False),
    Column("sector", String(CODE), nullable=False),
    Column("indicator", String(CODE), nullable=False),
    Column("per", String(CODE), nullable=False),
    PrimaryKeyConstraint("campaign", "sector", name="pk_campaign_measures"),
)
