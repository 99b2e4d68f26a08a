"""Page routes for vacancy cases, their advertisements and applicants, and cover of a list (lister.sak_views)."""

from django.urls import path

from lister import sak_views

urlpatterns = [
    path("lister/saker/<int:sak_id>/", sak_views.sak_detalj, name="sak"),
    path("lister/<int:liste_id>/sak/ny/", sak_views.sak_ny, name="sak_ny"),
    path("lister/saker/<int:sak_id>/endre/", sak_views.sak_endre, name="sak_endre"),
    path("lister/saker/<int:sak_id>/historikk/", sak_views.sak_historikk, name="sak_historikk"),
    path("lister/saker/<int:sak_id>/utlysninger/ny/", sak_views.utlysning_ny, name="sak_utlysning"),
    path("lister/saker/<int:sak_id>/utlysninger/<int:utlysning_id>/", sak_views.utlysning_endre, name="sak_utlysning_endre"),
    path("lister/saker/<int:sak_id>/utlysninger/<int:utlysning_id>/slett/", sak_views.utlysning_slett,
         name="sak_utlysning_slett"),
    path("lister/saker/<int:sak_id>/sokere/ny/", sak_views.soker_ny, name="sak_soker"),
    path("lister/saker/<int:sak_id>/sokere/<int:soker_id>/", sak_views.soker_endre, name="sak_soker_endre"),
    path("lister/<int:liste_id>/dekning/ny/", sak_views.dekning_ny, name="dekning_ny"),
    path("lister/dekninger/<int:dekning_id>/", sak_views.dekning_endre, name="dekning_endre"),
    path("lister/dekninger/<int:dekning_id>/slett/", sak_views.dekning_slett, name="dekning_slett"),
]
