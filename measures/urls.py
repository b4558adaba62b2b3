from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("", views.measure_list, name="list"),
    path("<slug:slug>/", views.measure_detail, name="detail"),
]
