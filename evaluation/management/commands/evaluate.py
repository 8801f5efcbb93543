import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from evaluation.models import Round
from evaluation.scoring import SchemeError, compute, default_round
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "Compute an evaluation round (without publishing) or the shipped default scheme for a year, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="round_id", type=int)
        parser.add_argument("--year", type=int)
        parser.add_argument("--default", action="store_true", help="the shipped default scheme for --year")
        parser.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args, round_id, year, default, as_json, **options):
        try:
            if round_id is not None:
                round_ = Round.objects.filter(pk=round_id).first()
                if round_ is None:
                    raise CommandError(_("There is no evaluation round {}.").format(round_id))
                scores = compute(round_)
            elif default and year:
                round_, indicators = default_round(year=year)
                scores = compute(round_, indicators=indicators, marks=[])
            else:
                raise CommandError(_("Give --round ID, or --year Y with --default."))
        except SchemeError as error:
            raise CommandError(" ".join(error.messages)) from None
        if as_json:
            self.stdout.write(json.dumps([item.as_json() for item in scores], ensure_ascii=False))
            return
        for item in scores:
            self.stdout.write("{rank:>3}  {score:>6.2f}  {grade}  {unit}".format(
                rank=item.rank, score=item.score, grade=item.grade_label, unit=item.unit))
