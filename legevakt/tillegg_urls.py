"""Legevakt pages: a shift's supplements for payroll (issue 8)."""

from django.urls import path

from legevakt import tillegg_views

urlpatterns = [
    path("legevakt/vakter/<int:vakt_id>/tillegg/", tillegg_views.tillegg, name="vakt_tillegg"),
    path("legevakt/vakter/<int:vakt_id>/tillegg/<int:tillegg_id>/slett/", tillegg_views.tillegg_slett,
         name="vakt_tillegg_slett"),
]
