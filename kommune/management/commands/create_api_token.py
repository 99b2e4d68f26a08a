from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.management.base import AuditedCommand
from kommune import services
from kommune.management.commands._kommuner import kommuner_by_number
from kommune.models import API_SCOPE_NAMES, API_TOKEN_MAX_DAYS


class Command(AuditedCommand):
    help = (
        "Utsteder et API-token for en navngitt integrasjonsklient, bundet til kommuner og tilganger. "
        "Tokenet skrives alene på siste linje og vises aldri igjen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Klientens navn, f.eks. «Lønnssystemet».")
        parser.add_argument("--kommune", required=True, action="append", help="Kommunenummer; kan gjentas.")
        parser.add_argument("--scope", required=True, action="append", choices=API_SCOPE_NAMES, help="Kan gjentas.")
        parser.add_argument("--expires-days", type=int, default=None, help=f"Gyldighet i dager (1–{API_TOKEN_MAX_DAYS}). Uten: utløper ikke.")

    def handle(self, *args, name, kommune, scope, expires_days, **options):
        kommuner = kommuner_by_number(kommune)
        try:
            token, raw = services.issue_token(navn=name, kommuner=kommuner, scopes=scope, expires_days=expires_days)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        utloper = token.utloper.isoformat() if token.utloper else "aldri"
        self.stdout.write(
            f"Token {token.prefiks}… for «{token.navn}»: {', '.join(token.scopes)} i "
            f"{', '.join(k.kommunenummer for k in kommuner)}; utløper {utloper}. Lagre det nå:"
        )
        self.stdout.write(raw)
