"""Pages for introduksjonsavtaler (avtaler.introduksjon_views), in the "avtaler" namespace."""

from django.urls import path

from avtaler import introduksjon_views as views

urlpatterns = [
    path("avtaler/introduksjon/", views.introduksjon_liste, name="introduksjon_liste"),
    path("avtaler/introduksjon/ny/", views.introduksjon_ny, name="introduksjon_ny"),
    path("avtaler/introduksjon/<int:pk>/", views.introduksjon_detalj, name="introduksjon_detalj"),
    path("avtaler/introduksjon/<int:pk>/endre/", views.introduksjon_endre, name="introduksjon_endre"),
    path("avtaler/introduksjon/<int:pk>/avslutt/", views.introduksjon_avslutt, name="introduksjon_avslutt"),
    path("avtaler/introduksjon/<int:pk>/historikk/", views.introduksjon_historikk, name="introduksjon_historikk"),
]
