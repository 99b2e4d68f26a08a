from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kommune.models import ApiToken, ApiTokenKommune, Innbyggertall, Kommune, Rolle, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "navn", "is_active", "is_superuser", "last_login"]
    search_fields = ["email", "navn"]
    fieldsets = [
        (None, {"fields": ["email", "password", "navn"]}),
        ("Tilgang", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Datoer", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class InnbyggertallInline(admin.TabularInline):
    model = Innbyggertall
    extra = 0
    readonly_fields = ["versjon", "endret"]


@admin.register(Kommune)
class KommuneAdmin(admin.ModelAdmin):
    list_display = ["kommunenummer", "navn", "fylkesnavn", "malform", "sentralitetsklasse", "avtaleregime", "versjon"]
    list_filter = ["fylkesnavn", "malform", "sentralitetsklasse", "avtaleregime"]
    search_fields = ["kommunenummer", "navn"]
    readonly_fields = ["versjon", "endret"]
    inlines = [InnbyggertallInline]


@admin.register(Rolle)
class RolleAdmin(admin.ModelAdmin):
    list_display = ["bruker", "kommune", "rolle", "opprettet"]
    list_filter = ["rolle"]
    search_fields = ["bruker__email", "bruker__navn", "kommune__kommunenummer", "kommune__navn"]
    autocomplete_fields = ["bruker", "kommune"]


class ApiTokenKommuneInline(admin.TabularInline):
    model = ApiTokenKommune
    extra = 0
    fields = ["kommune", "trukket_tilbake"]
    readonly_fields = ["kommune"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with create_api_token or on the kommune's page (shown once); here they can be inspected and revoked."""

    list_display = ["navn", "prefiks", "opprettet", "utloper", "trukket_tilbake"]
    search_fields = ["navn", "prefiks"]
    fields = ["navn", "prefiks", "scopes", "opprettet", "utloper", "trukket_tilbake"]
    readonly_fields = ["navn", "prefiks", "scopes", "opprettet"]
    inlines = [ApiTokenKommuneInline]

    def has_add_permission(self, request) -> bool:
        return False
