from django.urls import path

from reviews import views

app_name = "reviews"

# Full paths: these pages were first served under /strategies/, and their addresses stay.
urlpatterns = [
    path("strategies/deliverables/<int:pk>/", views.deliverable_detail, name="deliverable"),
    path("strategies/reviews/", views.reviews_index, name="index"),
    path("strategies/reviews/quarters/add/", views.quarter_create, name="quarter_create"),
    path("strategies/reviews/quarters/<int:pk>/status/", views.quarter_set_status, name="quarter_set_status"),
    path("strategies/reviews/<slug:slug>/<int:quarter_pk>/", views.review_detail, name="detail"),
    path("strategies/reviews/<slug:slug>/<int:quarter_pk>/submit/", views.review_submit, name="submit"),
    path("strategies/reviews/<slug:slug>/<int:quarter_pk>/return/", views.review_return, name="return"),
    path("strategies/reviews/<slug:slug>/<int:quarter_pk>/sign-off/", views.review_sign_off, name="sign_off"),
    path("strategies/reviews/<slug:slug>/<int:quarter_pk>/unlock/", views.review_unlock, name="unlock"),
    path(
        "strategies/reviews/<slug:slug>/<int:quarter_pk>/deliverables/<int:pk>/",
        views.review_deliverable,
        name="update",
    ),
    path("strategies/evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
