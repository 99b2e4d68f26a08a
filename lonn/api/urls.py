"""The payroll API: the change feed, snapshots for resync, receipts (issue 8); pay periods and the payroll file."""

from django.urls import path

from lonn.api import views

urlpatterns = [
    path("lonn/hendelser/", views.HendelserView.as_view(), name="lonn-hendelser"),
    path("lonn/vakter/", views.VakterBildeView.as_view(), name="lonn-vakter"),
    path("lonn/vikariater/", views.VikariaterBildeView.as_view(), name="lonn-vikariater"),
    path("lonn/avtaler/", views.AvtalerBildeView.as_view(), name="lonn-avtaler"),
    path("lonn/kvitteringer/", views.KvitteringView.as_view(), name="lonn-kvitteringer"),
    path("lonn/perioder/", views.LonnsperioderView.as_view(), name="lonn-perioder"),
    path("lonn/lonnsfiler/<str:periode>/", views.LonnsfilView.as_view(), name="lonn-lonnsfil"),
]
