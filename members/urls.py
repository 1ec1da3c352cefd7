"""Back-office screens of the members app, mounted at /members/."""

from django.urls import path

from . import views

app_name = "members"

P = "p/<slug:property_code>/"
M = P + "<uuid:membership_id>/"

urlpatterns = [
    path(P, views.member_list, name="list"),
    path(P + "enrol/<uuid:guest_id>/", views.enrol, name="enrol"),
    path(M, views.detail, name="detail"),
    path(M + "stored-value/", views.stored_value, name="stored-value"),
    path(M + "adjust/", views.adjust, name="adjust"),
    path(M + "redeem/", views.redeem, name="redeem"),
    path(M + "consent/", views.consent, name="consent"),
    path(M + "status/", views.status, name="status"),
    path(M + "statement.csv", views.statement_csv, name="statement-csv"),
    path(M + "voucher/", views.voucher_issue, name="voucher-issue"),
    path(P + "approvals/", views.approvals, name="approvals"),
    path(P + "tiers/", views.tiers, name="tiers"),
    path(P + "reconciliation/", views.reconciliation, name="reconciliation"),
    path(P + "feedback/", views.feedback, name="feedback"),
    path(P + "feedback/<uuid:feedback_id>/", views.feedback_detail, name="feedback-detail"),
    path("offers/", views.offers, name="offers"),
    path("segments/", views.segments, name="segments"),
    path("segments/<int:segment_id>/", views.segment, name="segment"),
    path("segments/<int:segment_id>/export/", views.segment_export, name="segment-export"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("churn/", views.churn, name="churn"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
