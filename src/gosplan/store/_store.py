"""The :class:`Store`: opening, transactions, meta data, actions, and a dump for comparisons."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.exc import OperationalError

from gosplan.dburl import (
    database_name,
    default_url,
    describe_server,
    how_to_create,
    normalise_url,
    require_existing_file,
    sqlite_path,
)
from gosplan.errors import GosplanError, NotFound, Problem, ValidationError
from gosplan.i18n import _
from gosplan.model import ACTION_COLUMNS, ACTION_STATUSES, Period
from gosplan.store import schema
from gosplan.store._accounts import AccountMixin
from gosplan.store._action_plans import ActionPlanMixin
from gosplan.store._alerts import AlertMixin
from gosplan.store._approvals import ApprovalMixin
from gosplan.store._balance import BalanceMixin
from gosplan.store._campaigns import CampaignMixin
from gosplan.store._common import WRITE_INTENT, none_if_missing, utc_now, write_transaction
from gosplan.store._groups import GroupMixin
from gosplan.store._late import LateMixin
from gosplan.store._mail import MailMixin
from gosplan.store._outcomes import OutcomeMixin
from gosplan.store._plans import PlanMixin
from gosplan.store._projects import ProjectMixin
from gosplan.store._reference import ReferenceMixin
from gosplan.store._reports import ReportMixin
from gosplan.store._rules import RuleMixin
from gosplan.store._targets import TargetMixin
from gosplan.store._workflow import WorkflowMixin

MIGRATIONS = Path(__file__).parent / "migrations"
_ACTION_FIELDS = [c for c in ACTION_COLUMNS if c not in ("id", "created_at")] + ["details"]


#: Seconds to wait for a PostgreSQL server before saying it cannot be reached.
CONNECT_TIMEOUT = 10


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (so that DDL on
        # staging tables and executemany on the raw connection run inside the caller's transaction).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB page cache
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # pragma: no cover
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(WRITE_INTENT) else "BEGIN")


class Store(ReferenceMixin, TargetMixin, ReportMixin, ProjectMixin, AccountMixin, AlertMixin, CampaignMixin,
            BalanceMixin, PlanMixin, WorkflowMixin, RuleMixin, ApprovalMixin, GroupMixin, ActionPlanMixin, MailMixin,
            LateMixin, OutcomeMixin):
    """Persistence of reference data, targets, report revisions, actions, alerts, accounts, campaigns,
    input-output tables and meta data.

    SQLite (a file, the default) and PostgreSQL (``postgresql+psycopg://...``) behave the same.
    Every write method takes ``conn=None``: pass the connection of :meth:`transaction` to make
    several writes all-or-nothing.

    >>> import pandas as pd
    >>> store = Store.open("sqlite://")
    >>> store.write_units(pd.DataFrame({"code": ["PY"], "name": ["Pyongyang"], "kind": ["province"]}))
    WriteSummary(new=1, updated=0, unchanged=0)
    >>> store.units()["code"].tolist()
    ['PY']
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        # Lookups of one statement (a session, a token, the shared generation, a meta value) need no
        # transaction of their own: on PostgreSQL they run without BEGIN and ROLLBACK, two round trips
        # (the pool's liveness check and the query) instead of four. Same pool as ``engine``.
        self.lookups = (engine.execution_options(isolation_level="AUTOCOMMIT")
                        if engine.dialect.name == "postgresql" else engine)

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> Store:
        """Connect to ``url`` (default: :func:`default_url`) and create or upgrade the schema.

        A plain file path is taken as an SQLite file. With ``create=False`` a missing SQLite file or a
        database without gosplan's tables raises :class:`~gosplan.errors.NotFound` instead of becoming
        a new, empty store (what read-only commands want). A PostgreSQL database that does not exist, or a
        server that cannot be reached, raises :class:`~gosplan.errors.GosplanError` saying how to mend it.
        """
        url = normalise_url(url) if url else default_url()
        if not create:
            require_existing_file(url, None if url == default_url() else url)
        path = sqlite_path(url)
        if path is not None and not path.parent.is_dir():
            raise GosplanError(_("cannot create the store {path}: the folder {folder} does not exist", path=path,
                                  folder=path.parent))
        if url.startswith("sqlite"):
            engine = create_engine(url)
            _sqlite_pragmas(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT}
                                   if "connect_timeout" not in url else {})
        store = cls(engine, url)
        try:
            if not create and not store.has_schema():
                engine.dispose()
                raise NotFound(_("the database {url} holds no gosplan store; make one with {command}",
                                 url=store.display_url, command=how_to_create(url)))
            store.upgrade()
        except OperationalError as exc:
            engine.dispose()
            raise _connection_error(url, exc) from None
        return store

    def has_schema(self) -> bool:
        """Whether gosplan's tables are there (the database has been made a store by a migration)."""
        with self.engine.connect() as conn:
            return inspect(conn).has_table("alembic_version")

    def is_empty(self) -> bool:
        """Whether no table of the store holds a row (meta data and derived tables aside)."""
        with self.engine.connect() as conn:
            names = set(inspect(conn).get_table_names()) - schema.DERIVED_TABLES - {"meta"}
            tables = [table for table in schema.metadata.sorted_tables if table.name in names]
            return not any(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)

    def drop_schema(self) -> None:
        """Drop gosplan's tables (and only those) with everything in them, e.g. to rebuild the demo.

        Tables of other applications in the same database or schema are left alone.
        """
        with self.engine.begin() as conn:
            schema.metadata.drop_all(conn, checkfirst=True)
            if inspect(conn).has_table("alembic_version"):
                conn.exec_driver_sql("DROP TABLE alembic_version")

    def upgrade(self, revision: str = "head") -> None:
        """Apply the shipped Alembic migrations up to ``revision``."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"

    @property
    def display_url(self) -> str:
        """The URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with write_transaction(self.engine) as conn:
            yield conn

    @contextmanager
    def _tx(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with write_transaction(self.engine) as own:
                yield own

    # -- meta -----------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A value of the small key/value table, or ``None``."""
        with self.lookups.connect() as c:
            return c.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar_one_or_none()

    def set_meta(self, key: str, value: str, conn: Connection | None = None) -> None:
        """Set a key of the key/value table (e.g. ``dataset = "demo"``)."""
        m = schema.meta
        with self._tx(conn) as c:
            if c.execute(m.update().where(m.c.key == key).values(value=str(value))).rowcount == 0:
                c.execute(m.insert().values(key=key, value=str(value)))

    # -- actions --------------------------------------------------------------------------------------

    def add_actions(self, frame: pd.DataFrame, conn: Connection | None = None) -> list[int]:
        """Add items to the action plan; returns their ids in the frame's order.

        Columns: title, owner_unit, due (required); plan, indicator, unit, period, status (default
        ``proposed``), check, origin, details (a dict, kept as JSON) optional.
        """
        rows = [_action_row(record, i + 2) for i, record in enumerate(frame.to_dict("records"))]
        ids = []
        with self._tx(conn) as c:
            for row in rows:
                row["created_at"] = utc_now()
                ids.append(
                    c.execute(
                        schema.actions.insert().values(**row).returning(schema.actions.c.id)
                    ).scalar_one()
                )
        return ids

    def actions(
        self, status: str | list[str] | None = None, owner_units: list[str] | None = None
    ) -> pd.DataFrame:
        """The action plan as a frame with ``model.ACTION_COLUMNS``, oldest first."""
        a = schema.actions
        query = select(*(a.c[col] for col in ACTION_COLUMNS)).order_by(a.c.id)
        if status is not None:
            query = query.where(a.c.status.in_([status] if isinstance(status, str) else list(status)))
        if owner_units is not None:
            query = query.where(
                a.c.owner_unit.in_([owner_units] if isinstance(owner_units, str) else list(owner_units))
            )
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=ACTION_COLUMNS)
        frame["id"] = frame["id"].astype("int64")
        return frame

    def update_action(self, action_id: int, conn: Connection | None = None, **changes: Any) -> None:
        """Change fields of one action (e.g. ``status="done"``); :class:`NotFound` for an unknown id."""
        unknown = sorted(set(changes) - set(_ACTION_FIELDS))
        if unknown:
            raise ValidationError([Problem("actions", None, k, _("not a field of an action")) for k in unknown])
        if not changes:
            return
        values = _action_row(changes, None, partial=True)
        with self._tx(conn) as c:
            result = c.execute(
                schema.actions.update().where(schema.actions.c.id == int(action_id)).values(**values)
            )
            if result.rowcount == 0:
                raise NotFound(_("no action with id {id}", id=action_id))

    # -- inspection -----------------------------------------------------------------------------------

    def dump(self) -> dict[str, list[tuple]]:
        """Every row of every table but the derived ones, sorted: for comparing a store before and after an
        operation."""
        tables = {}
        with self.engine.connect() as c:
            names = set(inspect(c).get_table_names())
            for table in schema.metadata.sorted_tables:
                if table.name in names and table.name not in schema.DERIVED_TABLES:
                    rows = [tuple(r) for r in c.execute(select(table)).all()]
                    tables[table.name] = sorted(rows, key=repr)
        return tables


def _connection_error(url: str, exc: OperationalError) -> GosplanError:
    """What went wrong opening ``url``, and how to mend it, in one sentence."""
    reason = str(getattr(exc, "orig", exc) or exc).strip()
    if url.startswith("sqlite"):
        return GosplanError(_("cannot open the SQLite store {path}: {reason}", path=sqlite_path(url) or url,
                              reason=reason.splitlines()[0]))
    server = describe_server(url)
    name = database_name(url)
    if "does not exist" in reason and f'database "{name}"' in reason:
        host, _colon, port = server.rpartition(":")
        return GosplanError(_("the PostgreSQL database {name} does not exist on {server}; create it with "
                              "`createdb -h {host} -p {port} {database}` (add -U USER as needed) and run the command "
                              "again", name=repr(name), server=server, host=host, port=port, database=name))
    if "refused" in reason or "timeout" in reason or "could not translate host name" in reason:
        return GosplanError(_("cannot reach the PostgreSQL server at {server}: is it running, and are the host "
                              "and port right? ({reason})", server=server, reason=_last_line(reason)))
    return GosplanError(_("cannot open the PostgreSQL database {name} on {server}: {reason}", name=repr(name),
                          server=server, reason=_last_line(reason)))


def _last_line(reason: str) -> str:
    """The informative part of a libpq message (after "FATAL:" or the last "failed:")."""
    line = reason.splitlines()[0]
    for marker in ("FATAL:", "failed:"):
        if marker in line:
            line = line.rsplit(marker, 1)[1]
    return line.strip()


def _action_row(record: dict[str, Any], row: int | None, partial: bool = False) -> dict[str, Any]:
    values = {k: none_if_missing(record.get(k)) for k in _ACTION_FIELDS if k in record}
    problems = []
    if not partial:
        for required in ("title", "owner_unit"):
            if not values.get(required):
                problems.append(Problem("actions", row, required, _("required")))
        values.setdefault("status", "proposed")
        values["status"] = values["status"] or "proposed"
        values["check"] = values.get("check") or ""
        values["origin"] = values.get("origin") or ""
    if "status" in values and values["status"] not in ACTION_STATUSES:
        problems.append(
            Problem(
                "actions",
                row,
                "status",
                _("unknown status {value} (one of {choices})", value=repr(values["status"]),
                  choices=", ".join(ACTION_STATUSES)),
            )
        )
    if values.get("due") is not None:
        values["due"] = pd.Timestamp(values["due"]).date()
    if values.get("period") is not None:
        try:
            values["period"] = str(Period.parse(values["period"]))
        except ValueError as exc:
            problems.append(Problem("actions", row, "period", str(exc)))
    if "details" in values and values["details"] is not None and not isinstance(values["details"], str):
        values["details"] = json.dumps(values["details"], default=str, sort_keys=True)
    if problems:
        raise ValidationError(problems)
    return values
