"""Routes of the "Ubesatte lister" page (lister.ledighet_views)."""

from django.urls import path

from lister import ledighet_views

urlpatterns = [
    path("lister/ubesatte/", ledighet_views.ubesatte, name="ubesatte"),
    path("lister/ubesatte.csv", ledighet_views.ubesatte_csv, name="ubesatte_csv"),
    path("lister/varsler/<int:varsel_id>/sett/", ledighet_views.varsel_sett, name="varsel_sett"),
]
