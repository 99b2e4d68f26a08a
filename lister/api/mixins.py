"""Small API helpers the register endpoints share (lister and avtaler): schema generation without
a kommune, the kommune in scope, PATCH-only updates with If-Match, Idempotency-Key on POST
actions, and the schema of the precondition errors a POST with If-Match can answer.

They build on core.api (concurrency, idempotency) and could move there when another app needs them.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from core.api.concurrency import VersionedUpdateMixin
from core.api.idempotency import IdempotentCreateMixin
from kommune import selectors as kommune_selectors


class SchemaSafeMixin:
    """Schema generation inspects views without a request or a kommune: views answer it with
    empty querysets (`if self.generating_schema: return Model.objects.none()`)."""

    @property
    def generating_schema(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


def kommune_in_scope(request):
    """The kommune the request works in (entered by the API authentication)."""
    return kommune_selectors.get_kommune_by_id(request.auth.kommune_id)


class VersionedPatchMixin:
    """PATCH with If-Match only (no PUT): for resources where replacing every field makes no sense."""

    def partial_update(self, request, *args, **kwargs):
        return VersionedUpdateMixin.update(self, request, *args, partial=True, **kwargs)


class _Effect:
    def __init__(self, effect):
        self._effect = effect

    def create(self, request, *args, **kwargs):
        return self._effect(request)


class _IdempotentEffect(IdempotentCreateMixin, _Effect):
    pass


def idempotent(request, effect):
    """Run a POST action's `effect(request) -> Response` under the Idempotency-Key protocol."""
    return _IdempotentEffect(effect).create(request)


class FeilSerializer(serializers.Serializer):
    """The error shape (core.api.errors); the schema hook publishes it as the `Feil` component."""

    feil = serializers.CharField()
    kode = serializers.CharField()
    felt = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    class Meta:
        ref_name = "Feil"


PRECONDITION_RESPONSES = {
    412: OpenApiResponse(FeilSerializer, description="If-Match samsvarer ikke: objektet er endret siden du hentet det."),
    428: OpenApiResponse(FeilSerializer, description="If-Match mangler."),
}
