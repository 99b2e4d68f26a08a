"""API routes for kompetanseforskriften § 4 (lister.api.kompetanse_views)."""

from django.urls import path

from lister.api.kompetanse_views import KompetanserapportView

urlpatterns = [
    path("kompetanserapport/", KompetanserapportView.as_view(), name="kompetanserapport"),
]
