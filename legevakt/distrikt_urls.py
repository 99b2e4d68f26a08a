"""Legevakt pages: districts, memberships, stations, agreements, and linking a doctor's user account (issue 7)."""

from django.urls import path

from legevakt import distrikt_views, lege_seksjon

urlpatterns = [
    path("legevakt/distrikter/", distrikt_views.distrikter, name="distrikter"),
    path("legevakt/distrikter/ny/", distrikt_views.distrikt_ny, name="distrikt_ny"),
    path("legevakt/distrikter/<int:distrikt_id>/", distrikt_views.distrikt, name="distrikt"),
    path("legevakt/distrikter/<int:distrikt_id>/endre/", distrikt_views.distrikt_endre, name="distrikt_endre"),
    path("legevakt/distrikter/<int:distrikt_id>/historikk/", distrikt_views.distrikt_historikk, name="distrikt_historikk"),
    path("legevakt/distrikter/<int:distrikt_id>/medlemskap/ny/", distrikt_views.medlemskap_ny, name="medlemskap_ny"),
    path("legevakt/medlemskap/<int:medlemskap_id>/endre/", distrikt_views.medlemskap_endre, name="medlemskap_endre"),
    path("legevakt/distrikter/<int:distrikt_id>/stasjoner/ny/", distrikt_views.stasjon_ny, name="stasjon_ny"),
    path("legevakt/stasjoner/<int:stasjon_id>/endre/", distrikt_views.stasjon_endre, name="stasjon_endre"),
    path("legevakt/distrikter/<int:distrikt_id>/vaktavtaler/ny/", distrikt_views.vaktavtale_ny, name="vaktavtale_ny"),
    path("legevakt/vaktavtaler/<int:vaktavtale_id>/endre/", distrikt_views.vaktavtale_endre, name="vaktavtale_endre"),
    path("legevakt/leger/<int:lege_id>/brukerkonto/", lege_seksjon.lege_bruker, name="lege_bruker"),
]
