"""The hottest reads, run on the driver's cursor: SQLAlchemy builds them, psycopg runs them.

For a page of 25 invoices, SQLAlchemy's execution layer cost more CPU than psycopg and
PostgreSQL together (0.27 ms against 0.11 ms on the Xeon): the execution context, the
expanding `IN` lists rendered again on every call, the result's metadata (psycopg builds its
column descriptions anew for it each time) and its row objects. A `DirectSelect` is compiled
by SQLAlchemy once per length of its expanding lists, then executed on the session's own
DBAPI connection, inside the session's transaction; its values go through the same bind and
result processors SQLAlchemy would apply (UTC datetimes, enums). Rows are named tuples.

Only on PostgreSQL, the production database: elsewhere (SQLite, `make run`) the statement
runs through SQLAlchemy and gives the same rows. The suite runs both ways.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

Processor = Callable[[Any], Any]
AnySelect = Select[*tuple[Any, ...]]
MAX_SHAPES = 256  # lengths of IN lists kept compiled per statement (others compile per call)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class _Compiled:
    """The SQL of one shape (lengths of the expanding lists) and how to fill it."""

    sql: str
    fixed: dict[str, Any]  # values bound in the statement itself
    binds: dict[str, Processor | None]  # the caller's parameters, with their processors
    expanding: dict[str, Processor | None]


class DirectSelect:
    """A SELECT built once, executed on the DBAPI cursor on PostgreSQL (see the module)."""

    def __init__(self, statement: AnySelect) -> None:
        self.statement = statement
        self.Row: Any = namedtuple("Row", statement.selected_columns.keys(), rename=True)  # type: ignore[misc]
        self._shapes: dict[tuple[int, ...], _Compiled] = {}
        self._expanding_names: tuple[str, ...] | None = None
        self._results: list[tuple[int, Processor]] | None = None
        self._lock = threading.Lock()  # shapes are added by any thread

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        """Every row, as `Row` named tuples (positions and names as SQLAlchemy's rows)."""
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            names = self._expanding_names
            if names is None:
                names = self._find_expanding(connection.dialect)
            # An empty IN list needs SQLAlchemy's own rendering (a rare case).
            if all(params[name] for name in names):
                return self._run(connection, names, params)
        return [self.Row._make(row) for row in connection.execute(self.statement, params)]

    def _run(
        self, connection: Connection, names: tuple[str, ...], params: Mapping[str, Any]
    ) -> list[Any]:
        dialect = connection.dialect
        shape = tuple(len(params[name]) for name in names)
        compiled = self._shapes.get(shape) or self._compile_shape(dialect, names, shape)
        values = dict(compiled.fixed)
        for name, process in compiled.binds.items():
            value = params[name]
            values[name] = value if process is None or value is None else process(value)
        for name, process in compiled.expanding.items():
            for i, value in enumerate(params[name], 1):
                values[f"{name}_{i}"] = value if process is None else process(value)
        raw = connection.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        sql = compiled.sql
        try:
            # Listeners of the engine see the statement as from SQLAlchemy (SQL counts in
            # tests, tracing); SQL_ECHO logs it.
            for listener in connection.dispatch.before_cursor_execute:
                sql, values = listener(connection, cursor, sql, values, None, False)
            if connection.engine.logger.isEnabledFor(logging.INFO):
                connection.engine.logger.info("[direct] %s %r", sql, values)
            cursor.execute(sql, values)
            found = cursor.fetchall()
            if self._results is None:
                self._results = _result_processors(self.statement, dialect, cursor.description)
        except dialect.loaded_dbapi.Error as error:
            invalidated = dialect.is_disconnect(error, raw, cursor)
            if invalidated:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                sql,
                values,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=invalidated,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()
        make = self.Row._make
        if not self._results:
            return [make(row) for row in found]
        processors = self._results
        rows = []
        for row in found:
            values_ = list(row)
            for index, process in processors:
                if values_[index] is not None:
                    values_[index] = process(values_[index])
            rows.append(make(values_))
        return rows

    def _find_expanding(self, dialect: Dialect) -> tuple[str, ...]:
        compiled = self.statement.compile(dialect=dialect)
        names = tuple(dict.fromkeys(n for b, n in compiled.bind_names.items() if b.expanding))
        self._expanding_names = names
        return names

    def _compile_shape(
        self, dialect: Dialect, names: tuple[str, ...], shape: tuple[int, ...]
    ) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        fixed: dict[str, Any] = {}
        binds: dict[str, Processor | None] = {}
        expanding: dict[str, Processor | None] = {}
        for bind, name in compiled.bind_names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.expanding:
                expanding[name] = process
            elif bind.required:
                binds[name] = process
            else:
                value = bind.effective_value
                fixed[name] = value if process is None or value is None else process(value)
        # The SQL exactly as SQLAlchemy renders it for lists of these lengths (casts included):
        # placeholder values only, the real ones are bound at each execution.
        placeholders: dict[str, Any] = {
            name: [None] * length for name, length in zip(names, shape, strict=True)
        }
        placeholders |= dict.fromkeys(binds)
        rendered = self.statement.params(placeholders).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        sql = rendered.string
        filled = set(fixed) | set(binds)
        filled |= {
            f"{n}_{i}" for n, length in zip(names, shape, strict=True) for i in range(1, length + 1)
        }
        if set(_PLACEHOLDER.findall(sql)) != filled:
            raise RuntimeError(f"unexpected parameters in {sql!r}")
        made = _Compiled(sql, fixed, binds, expanding)
        with self._lock:
            if len(self._shapes) < MAX_SHAPES:
                self._shapes[shape] = made
        return made


def _result_processors(
    statement: AnySelect, dialect: Dialect, description: Sequence[Any] | None
) -> list[tuple[int, Processor]]:
    """The columns SQLAlchemy would convert (by their types and the driver's type codes)."""
    found: list[tuple[int, Processor]] = []
    columns = list(statement.selected_columns)
    for index, column in enumerate(columns):
        type_code = description[index][1] if description else None
        process = column.type.dialect_impl(dialect).result_processor(dialect, type_code)
        if process is not None:
            found.append((index, process))
    return found
