from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from core.management.base import AuditedCommand
from kommune import demo


class Command(AuditedCommand):
    help = "Legger inn deterministiske demodata (kan kjøres flere ganger) og skriver ut demo-pålogginger."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Kjør selv om DEBUG er av (demo-passord er kjente!)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo lager brukere med kjente passord; bruk --force utenfor utvikling.")
        with transaction.atomic():
            logins = demo.run_all()
        self.stdout.write(self.style.SUCCESS("Demodata er på plass. Pålogginger:"))
        for login in logins:
            self.stdout.write(f"  {login.email:<32} {login.password:<22} {login.description}")
