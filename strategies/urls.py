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
    path("reviews/", views.reviews_index, name="reviews"),
    path("reviews/quarters/add/", views.quarter_create, name="quarter_create"),
    path("reviews/quarters/<int:pk>/status/", views.quarter_set_status, name="quarter_set_status"),
    path("reviews/<slug:slug>/<int:quarter_pk>/", views.review_detail, name="review"),
    path("reviews/<slug:slug>/<int:quarter_pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<slug:slug>/<int:quarter_pk>/return/", views.review_return, name="review_return"),
    path("reviews/<slug:slug>/<int:quarter_pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("reviews/<slug:slug>/<int:quarter_pk>/unlock/", views.review_unlock, name="review_unlock"),
    path(
        "reviews/<slug:slug>/<int:quarter_pk>/deliverables/<int:pk>/",
        views.review_deliverable,
        name="review_deliverable",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("overview/", views.overview, name="overview"),
    path("priorities/<int:pk>/", views.priority_detail, name="priority"),
    path("paper/", views.paper, name="paper"),
    path("horizon/", views.horizon, name="horizon"),
    path("refresh/", views.refresh, name="refresh"),
    path("<int:pk>/adopt/", views.strategy_adopt, name="adopt"),
    path("horizon/add/", views.horizon_edit, name="horizon_add"),
    path("horizon/<int:pk>/edit/", views.horizon_edit, name="horizon_edit"),
]
