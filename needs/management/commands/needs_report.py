"""``python manage.py needs_report --year Y [--json]``: the year's figures of the technology needs."""

import json

from needs.report import needs_report
from sanlian.access import SYSTEM
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "The figures of the technology needs collected in a year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, year, json: bool = False, **options):
        figures = needs_report(year=year, user=SYSTEM)
        if json:
            self.stdout.write(_dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write("{}: {}".format(key, value))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
