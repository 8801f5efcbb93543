"""Bulk writes of plain values with their django-simple-history records, for writes of tens of thousands of rows.

Django's ``bulk_create`` and django-simple-history's ``bulk_create_with_history`` build a model instance and
compile every value of every row; for a list of 5,000 projects with their links that costs about ten times reading
the workbook (measured by ``bench/import_annex.py``). Here rows are tuples sent by one ``executemany`` per table,
dates converted once per distinct value, and the "created" history records are copied inside the database.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Max, Model


def _history_enabled() -> bool:
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


class BulkWriter:
    """Writes rows (dicts of attribute names to values) of any model; every history record it writes carries
    ``user``, ``now`` and ``reason``."""

    def __init__(self, *, user, now, reason: str):
        self.user = user
        self.user_id = user.pk if user is not None else None
        self.now = now
        self.reason = reason

    @staticmethod
    def _columns(model) -> dict[str, tuple[str, object]]:
        ops = connection.ops
        result = {}
        for f in model._meta.concrete_fields:
            internal = f.get_internal_type()
            convert = (ops.adapt_datetimefield_value if internal == "DateTimeField"
                       else ops.adapt_datefield_value if internal == "DateField" else None)
            result[f.attname] = (f.column, convert)
        return result

    def insert(self, model, rows: list[dict]) -> None:
        """One multi-row INSERT run (``executemany``) of ``rows``, which all have the same keys."""
        if not rows:
            return
        columns = self._columns(model)
        names = list(rows[0])
        qn = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table), ", ".join(qn(columns[name][0]) for name in names), ", ".join(["%s"] * len(names)))
        converters = [(i, columns[name][1], {}) for i, name in enumerate(names) if columns[name][1]]
        values = []
        for row in rows:
            line = list(row.values())
            for i, convert, seen in converters:  # the same few dates and times recur: convert each once
                value = line[i]
                if value not in seen:
                    seen[value] = convert(value)
                line[i] = seen[value]
            values.append(line)
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)

    def update(self, model, rows: list[dict], fields: list[str]) -> None:
        """One ``UPDATE … WHERE id = %s`` run for every row (executemany): linear, unlike bulk_update's CASE."""
        if not rows:
            return
        columns = self._columns(model)
        qn = connection.ops.quote_name
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            qn(model._meta.db_table), ", ".join("{} = %s".format(qn(columns[name][0])) for name in fields),
            qn(model._meta.pk.column))
        values = [[columns[name][1](row[name]) if columns[name][1] else row[name] for name in fields] + [row["id"]]
                  for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)

    def create(self, model, rows: list[dict], key_fields: tuple[str, ...]) -> dict[tuple, int]:
        """Insert new rows (the model's field defaults filled in), read their primary keys back by ``key_fields``
        (unique among the new rows) in one query and record their history; returns key → primary key."""
        if not rows:
            return {}
        defaults = {name: value for name, value in self.values(model()).items() if name != "id"}
        rows = [defaults | row for row in rows]
        last = self.last_pk(model)
        self.insert(model, rows)
        by_key = {tuple(row[name] for name in key_fields): row for row in rows}
        for pk, *key in model.objects.filter(pk__gt=last).values_list("pk", *key_fields):
            if (row := by_key.get(tuple(key))) is not None:
                row["id"] = pk
        self.history_since(model, last)
        return {key: row["id"] for key, row in by_key.items()}

    @staticmethod
    def last_pk(model) -> int:
        return model.objects.aggregate(last=Max("pk"))["last"] or 0

    def history_since(self, model, last: int, *, where: str = "", params: tuple = ()) -> None:
        """"Created" history records of the rows inserted after primary key ``last`` (and matching the SQL
        condition ``where``), copied inside the database by one INSERT … SELECT."""
        if not _history_enabled():
            return
        qn = connection.ops.quote_name
        history = model.history.model
        columns = [qn(f.column) for f in history.tracked_fields]
        extra = ["history_date", "history_change_reason", "history_type", "history_user"]
        sql = "INSERT INTO {} ({}, {}) SELECT {}, %s, %s, %s, %s FROM {} WHERE {} > %s{}".format(
            qn(history._meta.db_table), ", ".join(columns),
            ", ".join(qn(history._meta.get_field(name).column) for name in extra), ", ".join(columns),
            qn(model._meta.db_table), qn(model._meta.pk.column), " AND " + where if where else "")
        with connection.cursor() as cursor:
            cursor.execute(sql, [connection.ops.adapt_datetimefield_value(self.now), self.reason, "+", self.user_id,
                                 last, *params])

    def history(self, model, rows: list[dict], history_type: str) -> None:
        """History records (``+`` created, ``~`` changed, ``-`` deleted) of ``rows`` (full rows of ``model``)."""
        if not _history_enabled():
            return
        extra = {"history_date": self.now, "history_user_id": self.user_id, "history_change_reason": self.reason,
                 "history_type": history_type}
        self.insert(model.history.model, [row | extra for row in rows])

    @staticmethod
    def values(obj: Model) -> dict:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
