"""Legevakt pages: calendar feeds (issue 7). The private feed needs no login: the secret in the URL
identifies the doctor."""

from django.urls import path

from legevakt import kalender_views

urlpatterns = [
    path("legevakt/kalender/", kalender_views.kalender, name="kalender"),
    path("legevakt/kalender/<str:nokkel>.ics", kalender_views.kalender_feed, name="kalender_feed"),
    path("legevakt/distrikter/<int:distrikt_id>/kalender.ics", kalender_views.distrikt_kalender, name="distrikt_kalender"),
]
