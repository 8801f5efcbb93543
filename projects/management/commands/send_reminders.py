import json
import re
from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from projects.reminders import RUN_KEYS, send_reminders
from sanlian.commands import PortalCommand

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str) -> date:
    try:
        if ISO_DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise CommandError(_("--today must be a date written YYYY-MM-DD, e.g. 2024-05-31; got “{value}”.").format(
        value=value))


class Command(PortalCommand):
    help = "Queue today's deadline reminders now (the same service as the daily Celery job); safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD, Beijing time).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; write and send nothing.")
        parser.add_argument("--json", action="store_true", help="Print the counts as one JSON object.")

    def handle(self, *args, today: str | None = None, dry_run: bool = False, json: bool = False, **options):
        counts = send_reminders(today=parse_day(today) if today else None, dry_run=dry_run)
        if json:
            self.stdout.write(_json_dumps(counts))
            return
        self.stdout.write(_("Reminders for {date}{dry}:").format(date=counts["date"], dry=_(" (dry run)") if dry_run else ""))
        for key in RUN_KEYS:
            self.stdout.write("  {}: {}".format(key, counts[key]))


def _json_dumps(counts: dict) -> str:
    return json.dumps(counts, ensure_ascii=False)
