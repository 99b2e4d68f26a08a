"""`Idempotency-Key` for POSTs that clients retry.

- The key is stored in a row unique per principal (user or integration client) and key, written
  in the same transaction as the POST's effect: both commit, or neither does.
- The row is claimed *before* the effect. A concurrent request with the same key waits on the
  unique index until the first commits, then replays its response; if it has waited longer than
  IDEMPOTENCY_LOCK_TIMEOUT_MS it gets 409 and may retry.
- Same key with a different request (method, path or body): 422.
- Only responses below 500 are stored; errors raised as exceptions (4xx validation, 5xx) roll the
  claim back with everything else, so a corrected retry with the same key is carried out.
- Keys are kept IDEMPOTENCY_KEY_RETENTION_HOURS; an expired key is treated as new and the nightly
  housekeeping job deletes it.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import errors as pg_errors
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.errors import Conflict, UnprocessableEntity
from core.context import current_actor
from core.models import IdempotencyKey
from core.services import idempotency_cutoff

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("ETag", "Location")
MAX_KEY_LENGTH = 255
# Status of a claimed key while its request runs; replaced by the real status before commit, so no
# other transaction ever sees it.
IN_PROGRESS_STATUS = 202
KEY_PATTERN = r"^[\x20-\x7E]{1,255}$"  # printable ASCII, as published in the OpenAPI schema


def principal_for(request) -> str:
    """The acting person or integration client ("bruker:<id>", "klient:<id>"), from the scope the
    authentication class entered."""
    actor = current_actor()
    if not actor or actor == "anonym":
        raise RuntimeError("Idempotency-Key krever en innlogget bruker eller klient.")
    return actor


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    raw = "\n".join([request.method, request.get_full_path(), body])
    return hashlib.sha256(raw.encode()).hexdigest()


def _validated_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not re.fullmatch(KEY_PATTERN, key):
        raise ValidationError(
            {HEADER: [_("Idempotency-Key må være 1–%(max)d synlige ASCII-tegn.") % {"max": MAX_KEY_LENGTH}]}
        )
    return key


def _replay(record: IdempotencyKey) -> Response:
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.response_status, headers=headers)


def _claim(principal: str, key: str, fp: str, request) -> IdempotencyKey | None:
    """Insert the key row, or return the committed row another request already stored."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.IDEMPOTENCY_LOCK_TIMEOUT_MS}ms"])
    try:
        with transaction.atomic():
            IdempotencyKey.objects.filter(
                principal=principal, key=key, created__lt=idempotency_cutoff(now=timezone.now())
            ).delete()
            IdempotencyKey.objects.create(
                principal=principal, key=key, fingerprint=fp, method=request.method,
                path=request.get_full_path()[:2000], response_status=IN_PROGRESS_STATUS, response_body=None,
            )
        return None
    except IntegrityError:
        return IdempotencyKey.objects.get(principal=principal, key=key)
    except OperationalError as exc:
        if isinstance(exc.__cause__, pg_errors.LockNotAvailable):
            raise Conflict(
                _("En forespørsel med samme Idempotency-Key er fortsatt under behandling. Prøv igjen om litt.")
            ) from exc
        raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")


class IdempotentCreateMixin:
    """Wraps a DRF view's `create` in the idempotency protocol above."""

    def create(self, request, *args, **kwargs):
        key = _validated_key(request)
        if key is None:
            return super().create(request, *args, **kwargs)
        principal, fp = principal_for(request), fingerprint(request)
        with transaction.atomic():
            existing = _claim(principal, key, fp, request)
            if existing is not None:
                if existing.fingerprint != fp:
                    raise UnprocessableEntity(
                        _("Idempotency-Key er allerede brukt på en annen forespørsel. Bruk en ny nøkkel.")
                    )
                return _replay(existing)
            response = super().create(request, *args, **kwargs)
            if response.status_code >= 500:  # never stored: undo the claim and the effect
                transaction.set_rollback(True)
                return response
            IdempotencyKey.objects.filter(principal=principal, key=key).update(
                response_status=response.status_code,
                response_body=json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)),
                response_headers={h: response[h] for h in STORED_HEADERS if response.has_header(h)},
            )
        return response
