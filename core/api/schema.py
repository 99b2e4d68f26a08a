"""OpenAPI post-processing: every operation documents the error responses of the conventions,
and query parameters say that an empty value is accepted (it means "no filter").

The error shape (`Feil`) and which status codes each kind of operation can answer are written
once here, so the published contract matches what core.api.errors actually sends.
"""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["feil", "kode", "felt"],
    "properties": {
        "feil": {"type": "string", "description": "Forklaring for mennesker (norsk)."},
        "kode": {"type": "string", "description": "Maskinlesbar feilkode, for eksempel `ugyldig`."},
        "felt": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Feil per felt; tomt når feilen ikke gjelder bestemte felt.",
        },
    },
}

DESCRIPTIONS = {
    "400": "Ugyldig forespørsel: feltene og reglene står i `felt`.",
    "401": "Ikke autentisert: manglende, ukjent, utløpt eller tilbaketrukket token (`WWW-Authenticate: Bearer`).",
    "403": "Ingen tilgang: rollen eller tokenets tilganger tillater det ikke, eller kommune er ikke valgt.",
    "404": "Finnes ikke (eller tilhører ikke deg).",
    "409": "En forespørsel med samme Idempotency-Key er under behandling.",
    "412": "If-Match samsvarer ikke: objektet er endret siden du hentet det.",
    "413": "Innholdet er for stort.",
    "415": "Innholdstypen støttes ikke (bruk application/json).",
    "422": "Idempotency-Key er brukt på en annen forespørsel.",
    "428": "If-Match mangler.",
    "429": "For mange forespørsler; se Retry-After.",
}


def _codes(method: str) -> list[str]:
    codes = ["400", "401", "403", "404", "429"]  # 404 also for a list page beyond the end
    if method in {"post", "put", "patch"}:
        codes += ["413", "415"]
    if method in {"put", "patch", "delete"}:
        codes += ["412", "428"]
    if method == "post":
        codes += ["409", "422"]
    return codes


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Feil"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Feil"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                # An empty filter means "no filter" (HTML filter forms send empty fields too).
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for code in _codes(method):
                responses.setdefault(
                    code, {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": reference}}}
                )
    return result
