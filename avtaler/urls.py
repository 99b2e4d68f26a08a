from django.urls import path

from avtaler import alis_urls, introduksjon_urls, okonomi_urls, public_views, views

app_name = "avtaler"
urlpatterns = [
    path("avtaler/", views.avtale_liste, name="liste"),
    path("avtaler/ny/", views.avtale_ny, name="ny"),
    path("avtaler/helfo/", views.helfo_liste, name="helfo_liste"),
    path("avtaler/helfo/<int:melding_id>/", views.helfo_melding, name="helfo"),
    path("avtaler/helfo/<int:melding_id>/sendt/", views.helfo_sendt, name="helfo_sendt"),
    path("avtaler/helfo/<int:melding_id>/bekreftet/", views.helfo_bekreftet, name="helfo_bekreftet"),
    path("avtaler/vedtak/<int:vedtak_id>/klage/", views.vedtak_klage, name="klage"),
    path("avtaler/<int:pk>/", views.avtale_detalj, name="detalj"),
    path("avtaler/<int:pk>/historikk/", views.avtale_historikk, name="historikk"),
    path("avtaler/<int:pk>/signer/", views.avtale_signer, name="signer"),
    path("avtaler/<int:pk>/listetak/", views.avtale_listetak, name="listetak"),
    path("avtaler/<int:pk>/listetak/<int:endring_id>/avslag/", views.listetak_avslag, name="avslag"),
    path("avtaler/<int:pk>/oppsigelse/", views.avtale_oppsigelse, name="oppsigelse"),
    path("avtaler/<int:pk>/forlengelse/", views.avtale_forlengelse, name="forlengelse"),
    path("avtaler/<int:pk>/bortfall/", views.avtale_bortfall, name="bortfall"),
    path("avtaler/<int:pk>/oppgaver/ny/", views.oppgave_ny, name="oppgave_ny"),
    path("offentlig/<str:kommunenummer>/ledige-plasser/", public_views.ledige_plasser, name="offentlig"),
]
urlpatterns += alis_urls.urlpatterns + introduksjon_urls.urlpatterns + okonomi_urls.urlpatterns
