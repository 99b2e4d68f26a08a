"""`{% liste_saker liste %}`: the list's vacancy cases on the list page (one query), so the register's
list view needs no change to show them."""

from django import template

from kommune.permissions import Handling, tillater
from lister import sak_selectors

register = template.Library()


@register.inclusion_tag("lister/sak/_liste_saker.html", takes_context=True)
def liste_saker(context, liste):
    request = context.get("request")
    tilgang = getattr(request, "tilgang", None)
    return {
        "liste": liste,
        "saker": sak_selectors.with_status(sak_selectors.saker_for_liste(liste=liste)),
        "can_write": tilgang is not None and tillater(tilgang, Handling.SKRIV),
    }
