from django.urls import path

from kommune import views

app_name = "kommune"
urlpatterns = [
    path("", views.home, name="home"),
    path("kommuner/<str:kommunenummer>/", views.landing, name="landing"),
    path("kommuner/<str:kommunenummer>/endre/", views.edit, name="edit"),
    path("kommuner/<str:kommunenummer>/historikk/", views.history, name="history"),
]
