"""Database wiring.

- On SQLite, Django assumes the old 999-parameter limit of the library's compile-time default, which splits a bulk
  insert of thousands of rows into hundreds of queries. Tell it the library's real limit.
- ``__in`` on an integer column leaves out values the column cannot hold (an id past 2**63 typed into a form, a
  filter or the back office's widgets): they match nothing, as ``exact`` already does in Django, instead of an
  ``OverflowError`` (SQLite) or "integer out of range" (PostgreSQL) that answered 500.
- ``YearMonth``: a month grouping each database computes natively (not ``TruncMonth``, which SQLite evaluates
  in Python row by row).
- ``analyze``: PostgreSQL plans from table statistics; a table filled in bulk since its last ANALYZE looks empty to
  the planner, which then joins thousands of rows by nested loops (measured: the cold dashboard at 5,000 demo
  projects 11.4 s before ANALYZE, 0.28 s after). Autovacuum refreshes them in time when it runs (it may be off, or
  behind); the bulk writers (an import of the list, ``seed_demo``, a restore) call this instead of waiting.
"""

import sqlite3

from django.db import models
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import CharField, Func, Value
from django.db.models.lookups import In


def use_sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


connection_created.connect(use_sqlite_parameter_limit, dispatch_uid="sanlian-sqlite-parameter-limit")


def analyze(*models) -> None:
    """Refresh PostgreSQL's statistics of the tables of ``models`` (of every table when none is given) after a bulk
    write. SQLite's planner does without them: nothing to do there."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + tables)


class IntegerInRange(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            try:
                low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            except (KeyError, AttributeError):
                low = high = None
            self.rhs = [value for value in self.rhs if not isinstance(value, int)
                        or ((low is None or value >= low) and (high is None or value <= high))]
        return super().process_rhs(compiler, connection)


models.IntegerField.register_lookup(IntegerInRange)


class YearMonth(Func):
    """The "YYYY-MM" of a date column by the database's own function (``strftime`` on SQLite, ``to_char`` on
    PostgreSQL): grouping by month without ``TruncMonth``, which SQLite evaluates in Python row by row."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor == "sqlite":
            return Func(Value("%Y-%m"), *self.source_expressions, function="strftime",
                        output_field=CharField()).as_sql(compiler, connection, **extra_context)
        return Func(*self.source_expressions, Value("YYYY-MM"), function="to_char",
                    output_field=CharField()).as_sql(compiler, connection, **extra_context)
