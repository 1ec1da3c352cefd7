"""REST API of privacy requests (/api/v1/privacy-requests/...). Thin: the same services and selectors
as the screens. Errors are problem details; another hotel's request answers 404."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from pms.permissions import get_property_or_404
from pms.problems import problem

from . import selectors, services
from .models import PrivacyChannel, PrivacyExport, PrivacyRequestType, RefusalReason

TAG = ["privacy requests"]


class RequestOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField(source="short_id")
    type = serializers.CharField()
    channel = serializers.CharField()
    property = serializers.CharField(source="property.code", default=None, allow_null=True)
    claimed_name = serializers.CharField(source="claimed_name_masked", help_text="Masked.")
    contact = serializers.CharField(source="contact_masked", help_text="Masked.")
    guest = serializers.UUIDField(source="guest_id", allow_null=True)
    received_at = serializers.DateTimeField()
    due_on = serializers.DateField()
    overdue = serializers.SerializerMethodField()
    status = serializers.CharField()
    decision = serializers.CharField()
    refusal_reason = serializers.CharField()
    decision_text = serializers.CharField()
    reply_text = serializers.CharField()
    authorisation_recorded = serializers.SerializerMethodField()

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_authorisation_recorded(self, obj) -> bool:
        return obj.authorisation_recorded_at is not None


class RegisterInSerializer(serializers.Serializer):
    property = serializers.CharField(help_text="Code of the hotel where the request was received.")
    type = serializers.ChoiceField(choices=PrivacyRequestType.choices)
    channel = serializers.ChoiceField(choices=[c for c in PrivacyChannel.choices if c[0] != "online"])
    claimed_name = serializers.CharField(allow_blank=True)
    contact = serializers.CharField(allow_blank=True, help_text="Phone number or e-mail address.")
    details = serializers.CharField(required=False, allow_blank=True)


class VerifyInSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=[("details", "details"), ("document", "document")])
    name = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    room_number = serializers.CharField(required=False, allow_blank=True)
    arrival = serializers.DateField(required=False, allow_null=True)
    departure = serializers.DateField(required=False, allow_null=True)
    document_number = serializers.CharField(required=False, allow_blank=True)
    booking_reference = serializers.CharField(required=False, allow_blank=True)


class VerifyOutSerializer(serializers.Serializer):
    matched = serializers.BooleanField()
    items = serializers.DictField(child=serializers.BooleanField(), help_text="Match or no match per item.")


class AuthorisationInSerializer(serializers.Serializer):
    document_number = serializers.CharField()
    note = serializers.CharField()


class DecideInSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    refusal_reason = serializers.ChoiceField(choices=RefusalReason.choices, required=False, allow_blank=True)
    text = serializers.CharField(required=False, allow_blank=True)


class AppealInSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class FulfilInSerializer(serializers.Serializer):
    reply = serializers.CharField(required=False, allow_blank=True)
    correction = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class ExportOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.CharField()
    progress = serializers.IntegerField()
    ready_at = serializers.DateTimeField(allow_null=True)
    downloaded_at = serializers.DateTimeField(allow_null=True)


class CountSerializer(serializers.Serializer):
    key = serializers.CharField()
    count = serializers.IntegerField()


class SummaryOutSerializer(serializers.Serializer):
    month = serializers.DateField()
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True)
    by_type = CountSerializer(many=True)
    by_channel = CountSerializer(many=True)
    by_outcome = CountSerializer(many=True)


class RetentionRowSerializer(serializers.Serializer):
    guest = serializers.UUIDField(source="pk")
    last_activity = serializers.DateField()
    anonymised_on = serializers.DateField()


def _out(req) -> dict:
    return RequestOutSerializer(req).data


def _read_back(request, request_id) -> Response:
    """After a write, the request as it now stands: read through the selector (an access event)."""
    return Response(_out(selectors.request_detail(actor=request.user, request_id=request_id)))


@extend_schema(
    tags=TAG,
    methods=["GET"],
    parameters=[
        OpenApiParameter("status", str, required=False),
        OpenApiParameter("type", str, required=False),
        OpenApiParameter("channel", str, required=False),
        OpenApiParameter("property", str, required=False),
        OpenApiParameter("overdue", bool, required=False),
    ],
    responses=RequestOutSerializer(many=True),
)
@extend_schema(
    tags=TAG, methods=["POST"], request=RegisterInSerializer, responses={201: RequestOutSerializer}
)
@api_view(["GET", "POST"])
def request_list(request):
    if request.method == "GET":
        q = request.query_params
        filters = {k: q.get(k) for k in ("status", "type", "channel", "property") if q.get(k)}
        if q.get("overdue") in ("1", "true", "yes"):
            filters["overdue"] = True
        rows = selectors.request_list(actor=request.user, filters=filters)
        return Response([_out(r) for r in rows])
    services.require_any_handle(request.user)
    data = RegisterInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    prop = get_property_or_404(request.user, data.validated_data.pop("property"), services.HANDLE)
    req = services.privacy_request_register(actor=request.user, property=prop, **data.validated_data)
    response = _read_back(request, req.pk)
    response.status_code = status.HTTP_201_CREATED
    return response


@extend_schema(tags=TAG, responses=RequestOutSerializer)
@api_view(["GET"])
def request_detail(request, request_id):
    return Response(_out(selectors.request_detail(actor=request.user, request_id=request_id)))


@extend_schema(
    tags=TAG,
    request=VerifyInSerializer,
    responses={200: VerifyOutSerializer, 422: OpenApiResponse(description="No match (items say which).")},
)
@api_view(["POST"])
def request_verify(request, request_id):
    req = services.request_for(request.user, request_id)
    data = VerifyInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    attempt = services.privacy_request_verify(actor=request.user, request=req, **data.validated_data)
    body = {"matched": attempt.matched, "items": attempt.items}
    if not attempt.matched:
        detail = "The details do not match our records; ask for another proof, or refuse."
        return Response(
            problem(422, "Not verified", detail, **body), status=422, content_type="application/problem+json"
        )
    return Response(body)


@extend_schema(tags=TAG, request=AuthorisationInSerializer, responses=RequestOutSerializer)
@api_view(["POST"])
def request_authorisation(request, request_id):
    req = services.request_for(request.user, request_id)
    data = AuthorisationInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.privacy_authorisation_record(actor=request.user, request=req, **data.validated_data)
    return _read_back(request, req.pk)


@extend_schema(tags=TAG, request=DecideInSerializer, responses=RequestOutSerializer)
@api_view(["POST"])
def request_decide(request, request_id):
    req = services.request_for(request.user, request_id)
    data = DecideInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.privacy_request_decide(actor=request.user, request=req, **data.validated_data)
    return _read_back(request, req.pk)


@extend_schema(tags=TAG, request=AppealInSerializer, responses=RequestOutSerializer)
@api_view(["POST"])
def request_appeal(request, request_id):
    req = services.request_for(request.user, request_id)
    data = AppealInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.privacy_request_appeal(actor=request.user, request=req, **data.validated_data)
    return _read_back(request, req.pk)


@extend_schema(
    tags=TAG,
    request=FulfilInSerializer,
    responses={200: RequestOutSerializer, 202: ExportOutSerializer},
)
@api_view(["POST"])
def request_fulfil(request, request_id):
    req = services.request_for(request.user, request_id)
    data = FulfilInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    result = services.privacy_request_fulfil(actor=request.user, request=req, **data.validated_data)
    if isinstance(result, PrivacyExport):
        return Response(ExportOutSerializer(result).data, status=status.HTTP_202_ACCEPTED)
    return _read_back(request, req.pk)


@extend_schema(tags=TAG, responses=ExportOutSerializer)
@api_view(["GET"])
def export_detail(request, request_id, export_id):
    _req, export = selectors.export_for(actor=request.user, request_id=request_id, export_id=export_id)
    return Response(ExportOutSerializer(export).data)


@extend_schema(
    tags=TAG,
    request=None,
    responses={
        (200, "application/zip"): OpenApiTypes.BINARY,
        400: OpenApiResponse(description="Already handed over."),
    },
)
@api_view(["POST"])
def export_download(request, request_id, export_id):
    _req, export = selectors.export_for(actor=request.user, request_id=request_id, export_id=export_id)
    name, content = services.privacy_export_download(actor=request.user, export=export, via="desk")
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    tags=TAG,
    parameters=[OpenApiParameter("month", str, description="YYYY-MM")],
    responses=SummaryOutSerializer,
)
@api_view(["GET"])
def summary(request):
    try:
        month = date.fromisoformat((request.query_params.get("month") or "") + "-01")
    except ValueError:
        month = timezone.localdate().replace(day=1)
    s = selectors.monthly_summary(actor=request.user, month=month)

    def rows(items, key):
        return [{"key": r[key], "count": r["n"]} for r in items]

    return Response(
        SummaryOutSerializer(
            {
                "month": s.month,
                "total": s.total,
                "overdue": s.overdue,
                "average_days": s.average_days,
                "by_type": rows(s.by_type, "type"),
                "by_channel": rows(s.by_channel, "channel"),
                "by_outcome": rows(s.by_outcome, "status"),
            }
        ).data
    )


@extend_schema(tags=TAG, responses=RetentionRowSerializer(many=True))
@api_view(["GET"])
def retention(request):
    rows = selectors.retention_upcoming(actor=request.user, days=30)
    return Response(RetentionRowSerializer(rows, many=True).data)
