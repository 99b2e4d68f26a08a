"""Pages for 8.2-avtaler (avtaler.okonomi_views), in the "avtaler" namespace."""

from django.urls import path

from avtaler import okonomi_views as views

urlpatterns = [
    path("avtaler/okonomi/", views.okonomi_liste, name="okonomi_liste"),
    path("avtaler/okonomi/ny/", views.okonomi_ny, name="okonomi_ny"),
    path("avtaler/okonomi/<int:pk>/", views.okonomi_detalj, name="okonomi_detalj"),
    path("avtaler/okonomi/<int:pk>/endre/", views.okonomi_endre, name="okonomi_endre"),
    path("avtaler/okonomi/<int:pk>/avslutt/", views.okonomi_avslutt, name="okonomi_avslutt"),
    path("avtaler/okonomi/<int:pk>/historikk/", views.okonomi_historikk, name="okonomi_historikk"),
    path("avtaler/okonomi/<int:pk>/betalinger/ny/", views.okonomi_betaling_ny, name="okonomi_betaling_ny"),
    path("avtaler/okonomi/<int:pk>/betalinger/<int:betaling_id>/endre/", views.okonomi_betaling_endre,
         name="okonomi_betaling_endre"),
    path("avtaler/okonomi/<int:pk>/betalinger/<int:betaling_id>/historikk/", views.okonomi_betaling_historikk,
         name="okonomi_betaling_historikk"),
    path("avtaler/okonomi/<int:pk>/betalinger.csv", views.okonomi_eksport_csv, name="okonomi_eksport_csv"),
    path("avtaler/okonomi/<int:pk>/betalinger.xlsx", views.okonomi_eksport_xlsx, name="okonomi_eksport_xlsx"),
]
