"""Payroll pages (the API is lonn.api.urls)."""

from django.urls import path

from lonn import views

app_name = "lonn"
urlpatterns = [
    path("lonn/integrasjon/", views.integrasjon, name="integrasjon"),
    path("lonn/perioder/", views.periode_liste, name="perioder"),
    # the month is a parameter of the kommune in scope, not an object: writes take it from the form
    path("lonn/perioder/lukk/", views.periode_lukk, name="periode_lukk"),
    path("lonn/perioder/gjenapne/", views.periode_gjenapne, name="periode_gjenapne"),
    path("lonn/perioder/<str:periode>/", views.periode, name="periode"),
    path("lonn/perioder/<str:periode>/lonnsfil.csv", views.lonnsfil, name="lonnsfil"),
]

# Webhooks (lonn/webhook_views.py)
from lonn import webhook_views  # noqa: E402 — appended section

urlpatterns += [
    path("lonn/webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("lonn/webhooks/<int:webhook_id>/", webhook_views.webhook_detail, name="webhook"),
    path("lonn/webhooks/<int:webhook_id>/deaktiver/", webhook_views.webhook_deactivate, name="webhook_deaktiver"),
    path("lonn/webhooks/<int:webhook_id>/aktiver/", webhook_views.webhook_activate, name="webhook_aktiver"),
    path("lonn/webhooks/<int:webhook_id>/ny-hemmelighet/", webhook_views.webhook_rotate_secret,
         name="webhook_ny_hemmelighet"),
    path("lonn/webhooks/<int:webhook_id>/slett/", webhook_views.webhook_delete, name="webhook_slett"),
    path("lonn/webhooks/<int:webhook_id>/test/", webhook_views.webhook_test, name="webhook_test"),
]

# The wage-type mapping (lonn/lonnsart_views.py)
from lonn import lonnsart_views  # noqa: E402 — appended section

urlpatterns += [
    path("lonn/lonnsarter/", lonnsart_views.lonnsarter_side, name="lonnsarter"),
    path("lonn/lonnsarter/ny/", lonnsart_views.lonnsart_ny, name="lonnsart_ny"),
    path("lonn/lonnsarter/<int:regel_id>/endre-sats/", lonnsart_views.lonnsart_endre_sats, name="lonnsart_endre_sats"),
    path("lonn/lonnsarter/<int:regel_id>/slett/", lonnsart_views.lonnsart_slett, name="lonnsart_slett"),
    path("lonn/lonnsarter/eksempel/", lonnsart_views.lonnsarter_eksempel, name="lonnsarter_eksempel"),
    path("lonn/lonnsarter/lonnsarter.csv", lonnsart_views.lonnsarter_csv, name="lonnsarter_csv"),
]
