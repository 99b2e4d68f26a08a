"""Routes for kompetanseforskriften § 4: the yearly report to statsforvalteren (lister.kompetanse_views)."""

from django.urls import path

from lister import kompetanse_views as views

urlpatterns = [
    path("vikarer/kompetanse/rapport/", views.kompetanserapport, name="kompetanserapport"),
    path("vikarer/kompetanse/rapport.csv", views.kompetanserapport_csv, name="kompetanserapport_csv"),
    path("vikarer/kompetanse/rapport.xlsx", views.kompetanserapport_xlsx, name="kompetanserapport_xlsx"),
]
