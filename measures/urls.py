from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    # Mounted before the dashboards' "measures/<slug>/", so "imports" is never read as a measure's slug.
    path("imports/", views.imports, name="imports"),
    path("imports/template.<str:fmt>", views.import_template, name="import_template"),
    path("imports/mappings/", views.mappings, name="mappings"),
    path("imports/populations/", views.populations, name="populations"),
    path("imports/mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
    path("imports/not-used/<int:pk>/delete/", views.ignored_label_delete, name="ignored_label_delete"),
    path("imports/<int:pk>/", views.import_batch, name="import_batch"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("imports/<int:pk>/map/", views.import_map_labels, name="import_map_labels"),
    path("imports/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("imports/<int:pk>/rollback/", views.import_rollback, name="import_rollback"),
    path("<slug:slug>/breaks/add/", views.break_add, name="break_add"),
    path("<slug:slug>/baselines/<slug:partnership_slug>/", views.rebaseline, name="rebaseline"),
]
