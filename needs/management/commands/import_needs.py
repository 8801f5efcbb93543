"""``python manage.py import_needs PATH [--dry-run] [--json]``: exit 0 applied, 1 refused."""

import json
import sys

from django.core.management.base import BaseCommand

from needs.importing import run
from sanlian.access import SYSTEM


class Command(BaseCommand):
    help = "Import a workbook of needs (see docs/needs-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, path, dry_run, json: bool = False, **options):
        outcome = run("needs", path, user=SYSTEM, dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(outcome.as_json()))
        else:
            self.stdout.write("新增 {}，更新 {}，未变 {}".format(outcome.created, outcome.updated, outcome.unchanged))
            for line in outcome.warnings:
                self.stdout.write("警告：" + line)
            for line in outcome.errors:
                self.stderr.write("错误：" + line)
        if outcome.errors:
            sys.exit(1)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
