from django.urls import path

from lister.api.indikator_views import IndikatorerView, IndikatorTrendView

urlpatterns = [
    path("indikatorer/", IndikatorerView.as_view(), name="indikatorer"),
    path("indikatorer/trend/", IndikatorTrendView.as_view(), name="indikatorer-trend"),
]
