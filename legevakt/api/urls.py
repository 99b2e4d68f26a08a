"""Legevakt API. Each area has its own url module (issue 7)."""

from django.urls import include, path

urlpatterns = [
    path("", include("legevakt.api.distrikt_urls")),
    path("", include("legevakt.api.fritak_urls")),
    path("", include("legevakt.api.vakt_urls")),
    path("", include("legevakt.api.tillegg_urls")),
    path("", include("legevakt.api.belastning_urls")),
    path("", include("legevakt.api.varsel_urls")),
]
