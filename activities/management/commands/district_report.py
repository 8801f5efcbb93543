import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from activities.reach import district_figures
from sanlian.access import SYSTEM
from societies.models import District
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "What a district association did in a year: the figures of its page (own activities, campaigns, venues)."

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, help="the district association's name, e.g. 市中区科协")
        parser.add_argument("--year", required=True)
        parser.add_argument("--json", dest="as_json", action="store_true", help="print one JSON object")

    def handle(self, *args, district: str, year: str, as_json: bool, **options):
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            raise CommandError(_("The year must be between 2000 and 2100."))
        found = District.objects.for_user(SYSTEM).filter(name=district.strip(), is_city=False).first()
        if found is None:
            raise CommandError(_("No district association is named “{}”.").format(district))
        figures = district_figures(SYSTEM, found, year=int(year))
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        for key, value in figures.items():
            self.stdout.write("{:<14} {}".format(key, value))
