import os

from django.utils.translation import gettext as _

from societies.services import ensure_demo_accounts, load_reference_data
from societies.signals import portal_setup
from sanlian.commands import PortalCommand


class Command(PortalCommand):
    help = "First-run set-up: reference data, one demo account per role, and each app's own reference data."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demo accounts.")

    def handle(self, *args, no_demo: bool = False, **options):
        created = load_reference_data()
        self.stdout.write(_("Reference data: {districts} districts, {industries} industries created.").format(**created))
        for _receiver, message in portal_setup.send(sender=self.__class__, stdout=self.stdout):
            if message:
                self.stdout.write(str(message))
        if no_demo:
            return
        password = os.environ.get("DEMO_PASSWORD", "sanlian-demo")
        self.stdout.write("\n" + _("Demo accounts (password: {}):").format(password))
        for account, was_created in ensure_demo_accounts(password=password):
            unit = account.society or account.district
            self.stdout.write(
                "  {:<12} {:<12} {:<24} {}{}".format(
                    account.username, account.role.label, account.username + "@example.org", unit,
                    "" if was_created else "  " + _("(already there)"),
                )
            )
