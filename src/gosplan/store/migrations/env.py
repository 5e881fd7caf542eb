"""Alembic environment: migrations run on the connection handed over by :meth:`Store.open`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from gosplan.store.schema import metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Command-line use (``alembic`` with sqlalchemy.url set): build an engine of our own.
    section = config.get_section(config.config_ini_section, {})
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


try:
    context.config  # noqa: B018 - raises outside an Alembic run
except (AttributeError, NameError):  # imported by doctest collection or a linter: nothing to migrate
    pass
else:
    main()
