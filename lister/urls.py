from django.urls import include, path

from lister import views

app_name = "lister"
urlpatterns = [
    path("lister/", views.register, name="register"),
    path("lister/eksport.csv", views.eksport_csv, name="eksport_csv"),
    path("lister/eksport.xlsx", views.eksport_xlsx, name="eksport_xlsx"),
    path("lister/listetall.csv", views.listetall_csv, name="listetall_csv"),
    path("lister/listetall.xlsx", views.listetall_xlsx, name="listetall_xlsx"),
    path("lister/import/", views.listetall_import_page, name="import"),
    path("lister/import/mal.csv", views.import_mal_csv, name="import_mal_csv"),
    path("lister/import/mal.xlsx", views.import_mal_xlsx, name="import_mal_xlsx"),
    path("lister/ny/", views.liste_ny, name="ny"),
    path("lister/<int:liste_id>/", views.liste_detail, name="liste"),
    path("lister/<int:liste_id>/endre/", views.liste_endre, name="endre"),
    path("lister/<int:liste_id>/vikar/", views.liste_vikar, name="vikar"),
    path("lister/perioder/<int:periode_id>/kontortid/", views.kontortid, name="kontortid"),
    path("lister/<int:liste_id>/listetall/", views.listetall, name="listetall"),
    path("lister/<int:liste_id>/historikk/", views.liste_history, name="historikk"),
    path("legekontor/", views.legekontor_list, name="legekontor"),
    path("legekontor/ny/", views.legekontor_ny, name="legekontor_ny"),
    path("legekontor/<int:kontor_id>/endre/", views.legekontor_endre, name="legekontor_endre"),
    # Issue 6: vacancies, cases, the vikar pool and assignment, § 4 exceptions, indicators.
    path("", include("lister.ledighet_urls")),
    path("", include("lister.sak_urls")),
    path("", include("lister.vikar_urls")),
    path("", include("lister.kompetanse_urls")),
    path("", include("lister.indikator_urls")),
]
