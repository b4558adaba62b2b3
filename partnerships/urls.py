from django.urls import path

from partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("merge/", views.merge, name="merge"),
    path("<slug:slug>/split/", views.split, name="split"),
    path("<slug:slug>/", views.partnership_detail, name="detail"),
]
