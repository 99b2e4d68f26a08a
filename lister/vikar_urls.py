"""Page routes for the vikar pool, assigning a vikar to a list and the confirmation of the vikaravtale."""

from django.urls import path

from lister import vikar_views

urlpatterns = [
    path("lister/<int:liste_id>/tildel/", vikar_views.tildel, name="tildel"),
    path("lister/vikarperioder/<int:periode_id>/bekreftelse/", vikar_views.vikarbekreftelse, name="vikarbekreftelse"),
    path("vikarer/", vikar_views.vikarer, name="vikarer"),
    path("vikarer/ny/", vikar_views.vikar_ny, name="vikar_ny"),
    path("vikarer/<int:vikar_id>/", vikar_views.vikar_detalj, name="vikar_detalj"),
    path("vikarer/<int:vikar_id>/endre/", vikar_views.vikar_endre, name="vikar_endre"),
    path("vikarer/<int:vikar_id>/historikk/", vikar_views.vikar_historikk, name="vikar_historikk"),
    path("vikarer/<int:vikar_id>/tilgjengelighet/ny/", vikar_views.tilgjengelighet_ny, name="tilgjengelighet_ny"),
    path("vikarer/<int:vikar_id>/tilgjengelighet/<int:tilgjengelighet_id>/endre/", vikar_views.tilgjengelighet_endre,
         name="tilgjengelighet_endre"),
    path("vikarer/<int:vikar_id>/tilgjengelighet/<int:tilgjengelighet_id>/slett/", vikar_views.tilgjengelighet_slett,
         name="tilgjengelighet_slett"),
]
