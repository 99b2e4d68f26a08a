"""ETag / If-Match for VersionedModel resources.

- GET of one object answers with `ETag: "<versjon>"` (and 304 to a matching If-None-Match).
- PUT, PATCH and DELETE require `If-Match` with that ETag: 428 without it (or with `*`), 412 when it
  does not match. The check is repeated atomically in the UPDATE/DELETE (core.concurrency), so two
  requests carrying the same ETag cannot both succeed.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from core.api.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def _strong_versions(header: str) -> set[int]:
    versions = set()
    for tag in header.split(","):
        tag = tag.strip()
        # Weak validators never match If-Match (RFC 9110 § 13.1.1: strong comparison).
        if len(tag) >= 3 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit():
            versions.add(int(tag[1:-1]))
    return versions


def expected_version(request, instance) -> int:
    """The version the client says it is changing; raises 428/412 as the convention says."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    if instance.versjon not in _strong_versions(header):
        raise PreconditionFailed()
    return instance.versjon


class VersionedRetrieveMixin:
    """GET of one VersionedModel object with its ETag (304 to a matching If-None-Match)."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        tag = etag(instance.versjon)
        if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        return Response(self.get_serializer(instance).data, headers={"ETag": tag})



class VersionedUpdateMixin:
    """PUT/PATCH with If-Match; views implement `perform_versioned_update` by calling a service."""

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = expected_version(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        updated = self.perform_versioned_update(instance, serializer.validated_data, version)
        return Response(self.get_serializer(updated).data, headers={"ETag": etag(updated.versjon)})

    def perform_versioned_update(self, instance, validated_data, expected_version):  # pragma: no cover
        raise NotImplementedError


class VersionedDestroyMixin:
    """DELETE with If-Match for a VersionedModel resource; views implement `perform_versioned_destroy`."""

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        version = expected_version(request, instance)
        self.perform_versioned_destroy(instance, version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_versioned_destroy(self, instance, expected_version):  # pragma: no cover
        raise NotImplementedError
