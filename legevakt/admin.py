"""The operator admin for legevakt: the SFS 2305 (2024) normtall table, which ships empty (the
numbers were not in our sources) and is entered here with its source; and the districts for
reference."""

from django.contrib import admin

from legevakt.models import Legevaktdistrikt, Normtall


@admin.register(Normtall)
class NormtallAdmin(admin.ModelAdmin):
    list_display = ["befolkningsgruppe", "vakttype", "min_leger", "gyldig_fra", "kilde"]
    list_filter = ["befolkningsgruppe", "vakttype"]
    search_fields = ["kilde"]


@admin.register(Legevaktdistrikt)
class LegevaktdistriktAdmin(admin.ModelAdmin):
    list_display = ["navn", "kommune", "type", "aktiv", "versjon"]
    list_filter = ["type", "aktiv"]
    search_fields = ["navn", "kommune__navn", "kommune__kommunenummer"]
    readonly_fields = ["versjon", "endret"]
