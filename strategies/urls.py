from django.urls import path

from strategies import views

app_name = "strategies"

# Full paths (the app is mounted at the site's root): merging and splitting live under /partnerships/.
urlpatterns = [
    path("strategies/", views.strategy_list, name="list"),
    path("strategies/<int:pk>/", views.strategy_detail, name="detail"),
    path("strategies/<int:strategy_pk>/objectives/add/", views.objective_create, name="objective_create"),
    path("strategies/objectives/<int:pk>/edit/", views.objective_update, name="objective_update"),
    path(
        "strategies/objectives/<int:objective_pk>/deliverables/add/",
        views.deliverable_create,
        name="deliverable_create",
    ),
    path("strategies/deliverables/<int:pk>/edit/", views.deliverable_update, name="deliverable_update"),
    path("strategies/refresh/", views.refresh, name="refresh"),
    path("strategies/<int:pk>/adopt/", views.strategy_adopt, name="adopt"),
    path("strategies/<int:pk>/edit/", views.strategy_edit, name="edit"),
    path("strategies/horizon/add/", views.horizon_edit, name="horizon_add"),
    path("strategies/horizon/<int:pk>/edit/", views.horizon_edit, name="horizon_edit"),
    path("partnerships/merge/", views.merge, name="merge"),
    path("partnerships/<slug:slug>/split/", views.split, name="split"),
]
