"""Legevakt pages: duty load (legevakt.belastning_views, issue 7)."""

from django.urls import path

from legevakt import belastning_views as views

urlpatterns = [
    path("legevakt/distrikter/<int:distrikt_id>/belastning/", views.belastning_side, name="belastning"),
    path("legevakt/distrikter/<int:distrikt_id>/belastning.csv", views.belastning_csv, name="belastning_csv"),
    path("legevakt/distrikter/<int:distrikt_id>/belastning/leger/<int:lege_id>/", views.lege_belastning,
         name="lege_belastning"),
]
