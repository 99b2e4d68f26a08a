"""Legevakt pages: the roster, shifts, sick calls, pattern rosters, doctors' shifts and swaps (issue 7)."""

from django.urls import path

from legevakt import vakt_views

urlpatterns = [
    path("legevakt/distrikter/<int:distrikt_id>/vaktplan/", vakt_views.vaktplan, name="vaktplan"),
    path("legevakt/distrikter/<int:distrikt_id>/vaktplan/ny-vakt/", vakt_views.vakt_ny, name="vakt_ny"),
    path("legevakt/distrikter/<int:distrikt_id>/vaktplan/monster/", vakt_views.vaktplan_monster, name="vaktplan_monster"),
    path("legevakt/vakter/<int:vakt_id>/", vakt_views.vakt, name="vakt"),
    path("legevakt/vakter/<int:vakt_id>/endre/", vakt_views.vakt_endre, name="vakt_endre"),
    path("legevakt/vakter/<int:vakt_id>/avlys/", vakt_views.vakt_avlys, name="vakt_avlys"),
    path("legevakt/vakter/<int:vakt_id>/syk/", vakt_views.vakt_syk, name="vakt_syk"),
    path("legevakt/vakter/<int:vakt_id>/bytte/", vakt_views.bytte_ny, name="bytte_ny"),
    path("legevakt/mine-vakter/", vakt_views.mine_vakter, name="mine_vakter"),
    path("legevakt/bytter/", vakt_views.bytter, name="bytter"),
    path("legevakt/bytter/<int:bytte_id>/behandle/", vakt_views.bytte_behandle, name="bytte_behandle"),
]
