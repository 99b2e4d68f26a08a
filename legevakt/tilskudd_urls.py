"""Legevakt pages: the overview of districts with the nightly job's flags, marking a flag seen, and
the small-district grant criteria (issue 7)."""

from django.urls import path

from legevakt import tilskudd_views

urlpatterns = [
    path("legevakt/oversikt/", tilskudd_views.oversikt, name="oversikt"),
    path("legevakt/varsler/<int:varsel_id>/sett/", tilskudd_views.varsel_sett, name="varsel_sett"),
    path("legevakt/tilskudd/", tilskudd_views.tilskudd, name="tilskudd"),
    path("legevakt/tilskudd/csv/", tilskudd_views.tilskudd_csv, name="tilskudd_csv"),
]
