"""Read-only API of the audit trail for a SIEM: events and alerts, problem details on bad filters."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from . import selectors
from .models import AccessEvent, Alert, AlertStatus
from .selectors import FilterError, parse_filters, scope_or_404
from .templatetags.audit_tags import masked_criteria


class EventSerializer(serializers.ModelSerializer):
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = AccessEvent
        fields = [
            "id",
            "at",
            "actor_user_id",
            "actor_username",
            "actor_role",
            "actor_property_id",
            "channel",
            "action",
            "target_type",
            "target_ids",
            "criteria",
            "reason",
            "outcome",
            "request_id",
            "ip",
            "user_agent",
        ]

    def get_criteria(self, obj) -> dict[str, str]:
        return dict(masked_criteria(obj.criteria))


class EventPageSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True)


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "operator_user_id",
            "operator_username",
            "property_id",
            "window_start",
            "window_end",
            "figure",
            "limit",
            "status",
            "notes",
            "created_at",
            "updated_at",
        ]


_FILTER_PARAMS = [
    OpenApiParameter(name, str, required=False)
    for name in ("from", "to", "staff", "role", "property", "action", "outcome", "channel", "guest", "before")
]


@extend_schema(
    parameters=_FILTER_PARAMS, responses=EventPageSerializer, summary="Access events (newest first)"
)
@api_view(["GET"])
def event_list(request):
    scope = scope_or_404(request.user)
    try:
        filters = parse_filters(request.query_params, scope)
    except FilterError as exc:
        raise ValidationError(exc.errors) from exc
    size = request.query_params.get("page_size", "100")
    size = min(int(size), 1000) if size.isdigit() and int(size) > 0 else 100
    page = selectors.event_list(actor=request.user, filters=filters, size=size)
    return Response(
        {"results": EventSerializer(page.events, many=True).data, "next_before": page.next_before}
    )


@extend_schema(
    parameters=[OpenApiParameter("status", str, required=False)],
    responses=AlertSerializer(many=True),
    summary="Anomaly alerts",
)
@api_view(["GET"])
def alert_list(request):
    scope_or_404(request.user)
    unknown = set(request.query_params) - {"status"}
    status = request.query_params.get("status", "")
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown filter."))
    if status and status not in AlertStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(AlertStatus.values)}."})
    return Response(AlertSerializer(selectors.alert_list(actor=request.user, status=status), many=True).data)
