"""API routes of privacy requests, mounted at /api/v1/privacy-requests/ (guests/api_urls.py)."""

from django.urls import path

from . import api

R = "<uuid:request_id>/"
E = R + "exports/<uuid:export_id>/"

urlpatterns = [
    path("", api.request_list, name="api-privacy-requests"),
    path("summary/", api.summary, name="api-privacy-summary"),
    path("retention/", api.retention, name="api-privacy-retention"),
    path(R, api.request_detail, name="api-privacy-request"),
    path(R + "verify/", api.request_verify, name="api-privacy-verify"),
    path(R + "authorisation/", api.request_authorisation, name="api-privacy-authorisation"),
    path(R + "decide/", api.request_decide, name="api-privacy-decide"),
    path(R + "appeal/", api.request_appeal, name="api-privacy-appeal"),
    path(R + "fulfil/", api.request_fulfil, name="api-privacy-fulfil"),
    path(E, api.export_detail, name="api-privacy-export"),
    path(E + "download/", api.export_download, name="api-privacy-export-download"),
]
