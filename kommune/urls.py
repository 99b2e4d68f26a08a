from django.urls import path

from kommune import jobb_views, lege_views, tilgang_views, views
from kommune.frister_views import frister_page

app_name = "kommune"
urlpatterns = [
    path("", views.home, name="home"),
    path("velg-kommune/", views.choose_kommune, name="velg"),
    path("kommuner/<str:kommunenummer>/", views.landing, name="landing"),
    path("kommuner/<str:kommunenummer>/endre/", views.edit, name="edit"),
    path("kommuner/<str:kommunenummer>/historikk/", views.history, name="history"),
    path("frister/", frister_page, name="frister"),
    path("tilgang/brukere/", tilgang_views.users, name="brukere"),
    path("tilgang/roller/<int:rolle_id>/fjern/", tilgang_views.revoke_role, name="fjern_rolle"),
    path("tilgang/tokener/", tilgang_views.api_tokens, name="tokener"),
    path("tilgang/tokener/<int:token_id>/trekk-tilbake/", tilgang_views.withdraw_token, name="trekk_tilbake_token"),
    path("leger/", lege_views.lege_list, name="leger"),
    path("leger/ny/", lege_views.lege_ny, name="lege_ny"),
    path("leger/<int:lege_id>/", lege_views.lege_detail, name="lege"),
    path("leger/<int:lege_id>/endre/", lege_views.lege_endre, name="lege_endre"),
    path("leger/<int:lege_id>/historikk/", lege_views.lege_history, name="lege_historikk"),
    path("jobber/<int:jobb_id>/", jobb_views.jobb_detail, name="jobb"),
    path("jobber/<int:jobb_id>/status/", jobb_views.jobb_status, name="jobb_status"),
]
