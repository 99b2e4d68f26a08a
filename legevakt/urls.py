"""Legevakt pages. Each area has its own url module (issue 7)."""

from django.urls import include, path

app_name = "legevakt"
urlpatterns = [
    path("", include("legevakt.distrikt_urls")),
    path("", include("legevakt.fritak_urls")),
    path("", include("legevakt.vakt_urls")),
    path("", include("legevakt.tillegg_urls")),
    path("", include("legevakt.kalender_urls")),
    path("", include("legevakt.belastning_urls")),
    path("", include("legevakt.tilskudd_urls")),
]
