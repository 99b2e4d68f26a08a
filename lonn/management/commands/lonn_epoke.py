from core.management.base import AuditedCommand
from lonn import feed


class Command(AuditedCommand):
    help = ("Viser lønnsstrømmens epoke, eller begynner en ny (--ny) etter gjenoppretting fra sikkerhetskopi: "
            "markører fra før svarer da 410, og klientene synkroniserer på nytt fra øyeblikksbildene.")

    def add_arguments(self, parser):
        parser.add_argument("--ny", action="store_true", help="Begynn en ny epoke.")
        parser.add_argument("--arsak", default="erklært av driften (gjenoppretting)", help="Hvorfor (lagres).")

    def handle(self, *args, ny, arsak, **options):
        epoke = feed.ny_epoke(arsak=arsak) if ny else feed.sjekk_epoke()
        self.stdout.write(f"Epoke {epoke.nokkel} ({epoke.arsak}), første hendelse {epoke.forste_hendelse_id}.")
