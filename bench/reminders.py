"""Benchmark of the daily reminder run: ``python bench/reminders.py --projects 10000``.

Builds a throw-away database (SQLite in a temporary folder, or the PostgreSQL of ``DATABASE_URL``'s server in a
database named ``sanlian_bench``), fills it with N projects of 100 societies whose due windows spread over the year,
then times ``send_reminders`` for one day: the cold run (every project reminded for the first time), and the next
day's run. For each: ``emails_per_recipient_max`` (the most e-mails one address got from the run: one message a
day per person makes it 1) and ``ratio``, the run's seconds over ``baseline_seconds``, the seconds of inserting the
run's ledger rows alone. Prints JSON, the last line ``{"projects", "seconds", "queries", "emails_per_recipient_max",
"baseline_seconds", "ratio"}`` for the cold run (the worst case).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="sanlian-bench-")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        import psycopg

        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS sanlian_bench")
            conn.execute("CREATE DATABASE sanlian_bench")
        os.environ["DATABASE_URL"] = base + "/sanlian_bench"
    else:
        os.environ["DATABASE_URL"] = "sqlite:///{}/bench.sqlite3".format(tmp)
    os.environ.setdefault("SECRET_KEY", "sanlian-bench-throwaway-key-not-for-any-server-0123456789")  # DEBUG stays off
    os.environ.update(VAR_DIR=tmp, CELERY_BROKER_URL="memory://", DJANGO_SETTINGS_MODULE="sanlian.settings",
                      EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", LOG_LEVEL="ERROR")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group, User

    from django.db.models import Count, Max

    from projects.models import Notification, Project, ReminderLedger
    from projects.reminders import send_reminders
    from societies.choices import Role
    from societies.models import Contact, Profile, Society

    today = date(2024, 6, 15)
    societies = Society.objects.bulk_create([Society(name="市测试学会{}".format(i), name_key="市测试学会{}".format(i),
                                                     chair_email="chair{}@example.org".format(i)) for i in range(100)])
    group = Group.objects.get_or_create(name=Role.SOCIETY)[0]
    users = User.objects.bulk_create([User(username="contact{}".format(i), email="c{}@example.org".format(i))
                                      for i in range(100)])
    group.user_set.add(*users)
    Profile.objects.bulk_create([Profile(user=u, society=s) for u, s in zip(users, societies)])
    for role in (Role.SECRETARIAT, Role.LEADER):
        Group.objects.get_or_create(name=role)[0].user_set.add(User.objects.create(username=role, email=role + "@x.org"))
    projects = Project.objects.bulk_create([
        Project(year=2024, society=societies[i % 100], title="项目{}".format(i), title_key="项目{}".format(i),
                position=i, due_text="月", due_end=today + timedelta(days=(i % 240) - 120),
                status="in_progress" if i % 3 == 0 else "planned")
        for i in range(args.projects)
    ], batch_size=2000)
    contacts = Contact.objects.bulk_create([Contact(name="联系人{}".format(i), email="p{}@example.org".format(i))
                                            for i in range(args.projects)], batch_size=2000)
    Project.contacts.through.objects.bulk_create(
        [Project.contacts.through(project=p, contact=c) for p, c in zip(projects, contacts)], batch_size=2000)

    results = {}
    for label, day in (("cold", today), ("next_day", today + timedelta(days=1))):
        last_pk = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        last_entry = ReminderLedger.objects.aggregate(last=Max("pk"))["last"] or 0
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            counts = send_reminders(today=day)
            seconds = time.perf_counter() - started
        per_address = (Notification.objects.filter(pk__gt=last_pk).exclude(email="").values("email")
                       .annotate(n=Count("pk")).aggregate(most=Max("n"))["most"] or 0)
        results[label] = {"projects": args.projects, "seconds": round(seconds, 2), "queries": len(queries),
                          "notifications": counts["notifications"], "emails": counts["emails"],
                          "webhooks": counts["webhooks"], "recipients": counts["recipients"],
                          "items": counts["items"], "emails_per_recipient_max": per_address,
                          "baseline_seconds": ledger_insert_seconds(after=last_entry)}
        results[label]["ratio"] = round(seconds / max(results[label]["baseline_seconds"], 1e-6), 2)
    print(json.dumps({"database": connection.vendor, **results}, ensure_ascii=False))
    cold = results["cold"]
    print(json.dumps({key: cold[key] for key in ("projects", "seconds", "queries", "emails_per_recipient_max",
                                                  "baseline_seconds", "ratio")}))


def ledger_insert_seconds(*, after: int) -> float:
    """The baseline: the seconds to insert the ledger rows the run wrote (those after pk ``after``) alone, as
    one bulk insert of the same keys under another subject type, in a transaction rolled back."""
    from django.db import transaction

    from projects.models import ReminderLedger
    from projects.notifications import BULK_BATCH, KEY_FIELDS

    keys = ReminderLedger.objects.filter(pk__gt=after).values_list(*KEY_FIELDS)
    rows = [ReminderLedger(**(dict(zip(KEY_FIELDS, key)) | {"subject_type": "bench.baseline"})) for key in keys]
    with transaction.atomic():
        started = time.perf_counter()
        ReminderLedger.objects.bulk_create(rows, batch_size=BULK_BATCH)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return round(seconds, 3)

if __name__ == "__main__":
    main()
