"""Legevakt API routes: duty-load figures (legevakt.api.belastning_views, issue 7)."""

from django.urls import path

from legevakt.api.belastning_views import DistriktBelastningView, UdekketView

urlpatterns = [
    path("legevaktdistrikter/<int:distrikt_pk>/belastning/", DistriktBelastningView.as_view(), name="belastning"),
    path("legevakt/udekket/", UdekketView.as_view(), name="belastning-udekket"),
]
