"""`…/historikk/` on any detail endpoint: the object's changes with who made them."""

from __future__ import annotations

import dataclasses

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from core.history import history_for


class EndringSerializer(serializers.Serializer):
    felt = serializers.CharField()
    fra = serializers.JSONField(allow_null=True)
    til = serializers.JSONField(allow_null=True)


class HistorikkSerializer(serializers.Serializer):
    tidspunkt = serializers.DateTimeField()
    hendelse = serializers.CharField(help_text="insert, update eller delete.")
    aktor = serializers.CharField(help_text="Hvem: bruker:<id>, klient:<id>, oppgave:<navn> eller kommando:<navn>.")
    aktor_navn = serializers.CharField()
    endringer = serializers.SerializerMethodField()

    def get_endringer(self, entry) -> list[dict]:
        return EndringSerializer([{"felt": f, "fra": old, "til": new} for f, old, new in entry.endringer], many=True).data


class HistoryMixin:
    """Adds GET `<detail>/historikk/` (paged, newest first) with the same access as reading the object."""

    HIDDEN = "(skjult)"

    def history_hidden_fields(self) -> frozenset[str]:
        """Fields whose old and new values this principal may not see (e.g. health-related details)."""
        return frozenset()

    @extend_schema(summary="Historikk: endringer med tidspunkt og hvem", responses=HistorikkSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="historikk", filter_backends=[])
    def historikk(self, request, *args, **kwargs):
        entries = history_for(self.get_object())
        hidden = self.history_hidden_fields()
        if hidden:
            entries = [
                dataclasses.replace(entry, endringer=[
                    (field, self.HIDDEN, self.HIDDEN) if field in hidden else (field, old, new)
                    for field, old, new in entry.endringer
                ])
                for entry in entries
            ]
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistorikkSerializer(page, many=True).data)
