"""Database wiring: on SQLite, Django assumes the old 999-parameter limit of the library's compile-time default,
which splits a bulk insert of thousands of rows into hundreds of queries. Tell it the library's real limit.
And ``YearMonth``, a month grouping each database computes natively."""

import sqlite3

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func, Value


def use_sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


connection_created.connect(use_sqlite_parameter_limit, dispatch_uid="sanlian-sqlite-parameter-limit")


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
