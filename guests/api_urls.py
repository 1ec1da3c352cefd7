"""API routes of the guests app, mounted under /api/v1/."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("guests/", api.guest_create, name="api-guest-create"),
    path("guests/search/", api.guest_search, name="api-guest-search"),
    path("guests/<uuid:guest_id>/", api.guest_detail, name="api-guest-detail"),
    path("guests/<uuid:guest_id>/reveal/", api.guest_reveal, name="api-guest-reveal"),
    path("guests/<uuid:guest_id>/access-requests/", api.grant_request, name="api-guest-grant-request"),
    path("guests/<uuid:guest_id>/break-glass/", api.break_glass, name="api-guest-break-glass"),
    path("access-grants/", api.grant_list, name="api-access-grants"),
    path("access-grants/<int:grant_id>/approve/", api.grant_approve, name="api-access-grant-approve"),
    path("access-grants/<int:grant_id>/refuse/", api.grant_refuse, name="api-access-grant-refuse"),
    path("access-grants/<int:grant_id>/review/", api.grant_review, name="api-access-grant-review"),
    path("access-grants/<int:grant_id>/revoke/", api.grant_revoke, name="api-access-grant-revoke"),
]

# Privacy requests (guests/privacy/).
urlpatterns += [path("privacy-requests/", include("guests.privacy.api_urls"))]
