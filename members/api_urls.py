"""API routes of the members app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("members/", api.member_list, name="api-members"),
    path("members/search/", api.member_search, name="api-member-search"),
    path("members/<uuid:membership_id>/", api.member_detail, name="api-member"),
    path("members/<uuid:membership_id>/points/", api.member_points, name="api-member-points"),
    path(
        "members/<uuid:membership_id>/stored-value/", api.member_stored_value, name="api-member-stored-value"
    ),
    path("offers/", api.offer_list, name="api-offers"),
    path("offers/<slug:code>/", api.offer_detail, name="api-offer"),
    path("segments/preview/", api.segment_preview, name="api-segment-preview"),
    path("feedback/", api.feedback_list, name="api-feedback"),
    path("feedback/new/", api.feedback_create, name="api-feedback-create"),
]
