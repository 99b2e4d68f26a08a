"""Pages for ALIS-avtaler (avtaler.alis_views), in the "avtaler" namespace."""

from django.urls import path

from avtaler import alis_views as views

urlpatterns = [
    path("avtaler/alis/", views.alis_liste, name="alis_liste"),
    path("avtaler/alis/ny/", views.alis_ny, name="alis_ny"),
    path("avtaler/alis/tilskudd/", views.alis_tilskudd, name="alis_tilskudd"),
    path("avtaler/alis/tilskudd.csv", views.alis_tilskudd_csv, name="alis_tilskudd_csv"),
    path("avtaler/alis/tilskudd.xlsx", views.alis_tilskudd_xlsx, name="alis_tilskudd_xlsx"),
    path("avtaler/alis/satser/", views.alis_satser, name="alis_satser"),
    path("avtaler/alis/satser/ny/", views.alis_sats_ny, name="alis_sats_ny"),
    path("avtaler/alis/satser/<int:sats_id>/endre/", views.alis_sats_endre, name="alis_sats_endre"),
    path("avtaler/alis/<int:pk>/", views.alis_detalj, name="alis_detalj"),
    path("avtaler/alis/<int:pk>/historikk/", views.alis_historikk, name="alis_historikk"),
    path("avtaler/alis/<int:pk>/endre/", views.alis_endre, name="alis_endre"),
    path("avtaler/alis/<int:pk>/avslutt/", views.alis_avslutt, name="alis_avslutt"),
    path("avtaler/alis/<int:pk>/tilskudd/", views.alis_tilskuddsvedtak, name="alis_tilskuddsvedtak"),
    path("avtaler/alis/<int:pk>/elementer/ny/", views.alis_element_ny, name="alis_element_ny"),
    path("avtaler/alis/<int:pk>/elementer/<int:element_id>/avslutt/", views.alis_element_avslutt, name="alis_element_avslutt"),
    path("avtaler/alis/<int:pk>/fravaer/ny/", views.alis_fravaer_ny, name="alis_fravaer_ny"),
    path("avtaler/alis/<int:pk>/fravaer/<int:fravaer_id>/slett/", views.alis_fravaer_slett, name="alis_fravaer_slett"),
    path("avtaler/alis/<int:pk>/tjeneste/ny/", views.alis_tjeneste_ny, name="alis_tjeneste_ny"),
    path("avtaler/alis/<int:pk>/veiledning/", views.alis_veiledning, name="alis_veiledning"),
]
