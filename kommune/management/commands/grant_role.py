from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.management.base import AuditedCommand
from kommune import services
from kommune.management.commands._kommuner import kommuner_by_number
from kommune.models import Rolle


class Command(AuditedCommand):
    help = (
        "Gir en person en rolle i én eller flere kommuner, og oppretter kontoen (uten passord) når "
        "e-postadressen er ny. Eksempel: manage.py grant_role --email a@b.no --kommune 4601 --role saksbehandler"
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--kommune", required=True, action="append", help="Kommunenummer; kan gjentas.")
        parser.add_argument("--role", required=True, choices=Rolle.Navn.values)
        parser.add_argument("--navn", default="", help="Personens navn (brukes når kontoen er ny).")

    def handle(self, *args, email, kommune, role, navn, **options):
        for target in kommuner_by_number(kommune):
            with self.kommune_scope(target):
                try:
                    rolle = services.grant_role(kommune=target, email=email, rolle=role, navn=navn)
                except ValidationError as exc:
                    raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"{rolle.bruker.email} har rollen {role} i {target}.")
