"""Routes of the kommune dashboard panel (issue 6): the panel alone for htmx, and the indicators as CSV.
The panel itself is on the landing page (kommune:landing, `?dato=`), registered in lister.indikatorer.ready()."""

from django.urls import path

from lister import indikator_views

urlpatterns = [
    path("lister/indikatorer/panel/", indikator_views.panel, name="indikatorer_panel"),
    path("lister/indikatorer.csv", indikator_views.indikatorer_csv, name="indikatorer_csv"),
]
