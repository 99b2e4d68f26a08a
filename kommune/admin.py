from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kommune.models import Innbyggertall, Kommune, User


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
