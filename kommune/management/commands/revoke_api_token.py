from django.core.management.base import CommandError

from core.management.base import AuditedCommand
from kommune import services
from kommune.models import ApiToken


class Command(AuditedCommand):
    help = "Trekker tilbake et API-token i alle kommuner. Angi kjennetegnet (tokenets første tegn, f.eks. fl_AbC12345)."

    def add_arguments(self, parser):
        parser.add_argument("prefiks")

    def handle(self, *args, prefiks, **options):
        token = ApiToken.objects.filter(prefiks=prefiks).first()
        if token is None:
            raise CommandError(f"Fant ikke noe token med kjennetegnet {prefiks}.")
        services.revoke_token(token=token)
        self.stdout.write(f"Tokenet {token.prefiks}… («{token.navn}») er trukket tilbake.")
