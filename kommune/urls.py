from django.urls import path

from kommune import tilgang_views, views

app_name = "kommune"
urlpatterns = [
    path("", views.home, name="home"),
    path("velg-kommune/", views.choose_kommune, name="velg"),
    path("kommuner/<str:kommunenummer>/", views.landing, name="landing"),
    path("kommuner/<str:kommunenummer>/endre/", views.edit, name="edit"),
    path("kommuner/<str:kommunenummer>/historikk/", views.history, name="history"),
    path("tilgang/brukere/", tilgang_views.users, name="brukere"),
    path("tilgang/roller/<int:rolle_id>/fjern/", tilgang_views.revoke_role, name="fjern_rolle"),
    path("tilgang/tokener/", tilgang_views.api_tokens, name="tokener"),
    path("tilgang/tokener/<int:token_id>/trekk-tilbake/", tilgang_views.withdraw_token, name="trekk_tilbake_token"),
]
