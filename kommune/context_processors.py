from kommune.permissions import Handling, tillater


def tilgang(request) -> dict:
    """The kommune in scope and what the menu may offer."""
    current = getattr(request, "tilgang", None)
    if current is None:
        return {}
    return {
        "aktiv_kommune": current.kommune,
        "kan_bytte_kommune": len(current.kommuner) > 1,
        "kan_administrere": tillater(current, Handling.ADMINISTRER),
        "kan_lese": current.kommune_id is not None and tillater(current, Handling.LES),
        "kan_skrive": current.kommune_id is not None and tillater(current, Handling.SKRIV),
        "kan_se_egne": current.kommune_id is not None and tillater(current, Handling.EGNE),
    }
