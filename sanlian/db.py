"""Database wiring: on SQLite, Django assumes the old 999-parameter limit of the library's compile-time default,
which splits a bulk insert of thousands of rows into hundreds of queries. Tell it the library's real limit."""

import sqlite3

from django.db.backends.signals import connection_created


def use_sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


connection_created.connect(use_sqlite_parameter_limit, dispatch_uid="sanlian-sqlite-parameter-limit")
