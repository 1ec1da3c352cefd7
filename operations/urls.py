from django.urls import path

from . import views

app_name = "operations"
urlpatterns = [
    path("operations/", views.index, name="index"),
    path("metrics", views.metrics, name="metrics"),
]
