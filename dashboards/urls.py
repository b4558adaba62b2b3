from django.urls import path

from dashboards import views

app_name = "dashboards"

# Full paths, mounted last at the site's root: the addresses are those the pages always had, and the
# other apps' fixed paths (/measures/imports/, /partnerships/merge/) are matched before the slugs here.
urlpatterns = [
    path("strategies/overview/", views.overview, name="overview"),
    path("strategies/figures/", views.figures, name="figures"),
    path("strategies/priorities/<int:pk>/", views.priority_detail, name="priority"),
    path("strategies/paper/", views.paper, name="paper"),
    path("strategies/papers/<int:pk>/", views.paper_status, name="paper_file"),
    path("strategies/papers/<int:pk>/download/", views.paper_download, name="paper_download"),
    path("strategies/horizon/", views.horizon, name="horizon"),
    path("strategies/how-we-judge/", views.how_we_judge, name="how_we_judge"),
    path("partnerships/", views.partnership_list, name="partnerships"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="partnership"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/<slug:slug>/", views.measure_detail, name="measure"),
]
