"""``python manage.py suggest_experts NEED_ID [--limit 5] [--json]``: the experts suggested for a need, best first."""

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from needs.matching import suggest_experts
from needs.models import Need
from sanlian.access import SYSTEM
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "Suggest experts for a technology need, ranked, with the reasons."

    def add_arguments(self, parser):
        parser.add_argument("need_id")
        parser.add_argument("--limit", type=int, default=5)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, need_id, limit, json: bool = False, **options):
        try:
            need = Need.objects.for_user(SYSTEM).select_related("industry").get(pk=int(need_id))
        except (Need.DoesNotExist, ValueError, OverflowError):
            raise CommandError(_("There is no need number {}.").format(need_id), returncode=1) from None
        found = suggest_experts(need, user=SYSTEM, limit=max(limit, 0))
        if json:
            self.stdout.write(_dumps([item.as_json() for item in found]))
            return
        for rank, item in enumerate(found, start=1):
            self.stdout.write("{}. {} ({}) {}".format(rank, item.name, item.score, "；".join(item.reasons)))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
