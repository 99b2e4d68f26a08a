from django.core.management.base import CommandError

from core.tenancy import unscoped
from kommune.models import Kommune


def kommuner_by_number(numbers: list[str]) -> list[Kommune]:
    """The kommuner with these numbers, in the order given; CommandError naming the unknown ones."""
    with unscoped(reason="management command: look up kommuner named on the command line"):
        found = {k.kommunenummer: k for k in Kommune.objects.filter(kommunenummer__in=numbers)}
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise CommandError(f"Ukjent kommunenummer: {', '.join(unknown)}")
    return [found[n] for n in dict.fromkeys(numbers)]
