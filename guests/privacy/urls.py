"""Screens of privacy requests, mounted at /guests/privacy/ (namespace guests:privacy)."""

from django.urls import path

from . import views

app_name = "privacy"

R = "<uuid:request_id>/"
E = R + "exports/<uuid:export_id>/"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.new, name="new"),
    path("summary/", views.summary, name="summary"),
    path("retention/", views.retention, name="retention"),
    path(R, views.detail, name="detail"),
    path(R + "verify/", views.verify, name="verify"),
    path(R + "authorisation/", views.authorisation, name="authorisation"),
    path(R + "decide/", views.decide, name="decide"),
    path(R + "appeal/", views.appeal, name="appeal"),
    path(R + "fulfil/", views.fulfil, name="fulfil"),
    path(E, views.export_progress, name="export-progress"),
    path(E + "download/", views.export_download, name="export-download"),
]

# What guests/urls.py appends (one line): these screens under /guests/privacy/, namespace guests:privacy.
