from django.urls import path

from strategies import views

app_name = "strategies"

urlpatterns = [
    path("", views.strategy_list, name="list"),
    path("<int:pk>/", views.strategy_detail, name="detail"),
    path("<int:strategy_pk>/objectives/add/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/edit/", views.objective_update, name="objective_update"),
    path(
        "objectives/<int:objective_pk>/deliverables/add/", views.deliverable_create, name="deliverable_create"
    ),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable"),
    path("deliverables/<int:pk>/edit/", views.deliverable_update, name="deliverable_update"),
]
