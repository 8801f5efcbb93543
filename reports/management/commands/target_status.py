import json
from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from reports.targets import target_status
from sanlian.access import SYSTEM
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "Where each target of the plan stands for a year (confirmed records only unless --include-unconfirmed)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", help="YYYY-MM-DD: count only what happened up to this day (default: today)")
        parser.add_argument("--include-unconfirmed", action="store_true")
        parser.add_argument("--json", dest="as_json", action="store_true", help="print a JSON list, one object per target")

    def handle(self, *args, year: int, as_of: str | None, include_unconfirmed: bool, as_json: bool, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(_("The year must be between 2000 and 2100."))
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(_("--as-of must be a date as YYYY-MM-DD.")) from None
        statuses = target_status(year=year, user=SYSTEM, as_of=day, include_unconfirmed=include_unconfirmed)
        if as_json:
            self.stdout.write(json.dumps([status.as_json() for status in statuses], ensure_ascii=False))
            return
        for status in statuses:
            self.stdout.write("{:<22} {:>6} / {:<6} {:>4}%  {:>4}%  {}  {}".format(
                status.code, status.value, status.threshold, status.percent_done, status.percent_elapsed,
                status.pace_label, status.name))

