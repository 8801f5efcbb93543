import os

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from reports.demo import RealDataPresent, seed_demo
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "Fill a realistic demo year (deterministic per --seed); refuses on a portal with real projects."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=60)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int)
        parser.add_argument("--force", action="store_true", help="add demo data even where real projects exist")

    def handle(self, *args, projects: int, seed: int, year: int | None, force: bool, **options):
        if not 1 <= projects <= 100000:
            raise CommandError(_("--projects must be between 1 and 100000."))
        try:
            result = seed_demo(projects=projects, seed=seed, year=year, force=force,
                               password=os.environ.get("DEMO_PASSWORD", "sanlian-demo"))
        except RealDataPresent:
            raise CommandError(_("The portal holds real projects; demo data was not added (use --force to add it "
                                 "anyway).")) from None
        self.stdout.write(_("Demo data for {year}: {projects} projects, {outcomes} outcomes, {records} records.")
                          .format(**result))
