"""Payroll pages (the API is lonn.api.urls)."""

from django.urls import path

from lonn import views

app_name = "lonn"
urlpatterns = [
    path("lonn/integrasjon/", views.integrasjon, name="integrasjon"),
]
