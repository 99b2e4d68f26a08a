"""Legevakt pages: exemptions from legevakt (issue 7)."""

from django.urls import path

from legevakt import fritak_views

urlpatterns = [
    path("legevakt/fritak/", fritak_views.fritak_liste, name="fritak_liste"),
    path("legevakt/fritak/ny/", fritak_views.fritak_ny, name="fritak_ny"),
    path("legevakt/fritak/<int:fritak_id>/", fritak_views.fritak, name="fritak"),
    path("legevakt/fritak/<int:fritak_id>/endre/", fritak_views.fritak_endre, name="fritak_endre"),
    path("legevakt/fritak/<int:fritak_id>/historikk/", fritak_views.fritak_historikk, name="fritak_historikk"),
]
