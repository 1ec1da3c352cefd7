"""The members API (/api/v1/members/, ledgers, offers, segments, feedback). Thin: parse, call one
service or selector, answer with masked data. Bad input is 400 problem details; a member the caller
cannot see is 404 (and a denied event)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from pms.permissions import get_property_or_404
from pms.roles import Capability

from . import selectors, services
from .models import Feedback, FeedbackCategory, Offer, StoredValueAdjustment, Tier

C = Capability
PROPERTY = OpenApiParameter("property", str, required=True, description="The hotel's code.")


class MemberRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    card_masked = serializers.CharField()
    name_masked = serializers.CharField()
    email_masked = serializers.CharField()
    phone_masked = serializers.CharField()
    tier = serializers.CharField()
    status = serializers.CharField()
    joined_on = serializers.DateField()
    points_balance = serializers.IntegerField()
    stored_value_balance = serializers.DecimalField(max_digits=12, decimal_places=2)


class PointsEntrySerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    points = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    expires_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


class StoredValueEntrySerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    balance_after = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()


class VoucherSerializer(serializers.Serializer):
    masked_code = serializers.CharField()
    offer = serializers.CharField(source="offer.name")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    redeemed_at = serializers.DateTimeField(allow_null=True)


class MemberDetailSerializer(serializers.Serializer):
    member = MemberRowSerializer(source="row")
    points = PointsEntrySerializer(many=True)
    stored_value = StoredValueEntrySerializer(many=True)
    vouchers = VoucherSerializer(many=True)


class OfferSerializer(serializers.ModelSerializer):
    min_tier = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Tier.objects.all(),
        required=False,
        allow_null=True,
        help_text="Tier code: only members of this tier or higher may redeem; null for everyone.",
    )

    class Meta:
        model = Offer
        fields = ["code", "name", "kind", "value", "min_spend", "min_tier", "valid_days", "is_active"]


class SegmentQuerySerializer(serializers.Serializer):
    period_from = serializers.DateField(required=False)
    period_to = serializers.DateField(required=False)
    spend_over = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    spend_under = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    nights_min = serializers.IntegerField(required=False, min_value=0)
    stays_min = serializers.IntegerField(required=False, min_value=0)
    tiers = serializers.ListField(child=serializers.CharField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    last_stay_before = serializers.DateField(required=False)
    last_stay_after = serializers.DateField(required=False)
    property = serializers.CharField(required=False)
    birthday_month = serializers.IntegerField(required=False, min_value=1, max_value=12)


class SegmentPreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    consenting_email = serializers.IntegerField()
    consenting_sms = serializers.IntegerField()
    sample = MemberRowSerializer(many=True)


class FeedbackSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    source = serializers.ChoiceField(choices=Feedback.Source.choices)
    text = serializers.CharField()
    category = serializers.ChoiceField(choices=FeedbackCategory.choices, required=False)
    suggested_category = serializers.CharField(read_only=True)
    department = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)


class EnrolInSerializer(serializers.Serializer):
    property = serializers.SlugField(help_text="Property code: where the guest enrols.")
    guest = serializers.UUIDField(help_text="The guest's id (a profile visible at this property).")
    consent_email = serializers.BooleanField(default=False)
    consent_sms = serializers.BooleanField(default=False)


class PointsInSerializer(serializers.Serializer):
    property = serializers.SlugField()
    action = serializers.ChoiceField(choices=["redeem", "adjust"])
    reward = serializers.CharField(required=False, default="", help_text="redeem: room_night, dining or spa.")
    quantity = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100)
    points = serializers.IntegerField(
        required=False, help_text="adjust (manager): may be negative, not zero."
    )
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="adjust: required."
    )


class StoredValueInSerializer(serializers.Serializer):
    property = serializers.SlugField()
    action = serializers.ChoiceField(choices=["top_up", "refund", "adjust"])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    payment_reference = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="top_up and refund: required."
    )
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="adjust: required."
    )


def _prop(request, capability=C.VIEW_GUEST_BASIC):
    return get_property_or_404(request.user, request.query_params.get("property", ""), capability)


@extend_schema(
    methods=["GET"],
    parameters=[PROPERTY],
    responses=MemberRowSerializer(many=True),
    summary="Members visible at a hotel",
)
@extend_schema(
    methods=["POST"],
    request=EnrolInSerializer,
    responses={201: MemberDetailSerializer},
    summary="Enrol a guest at the desk (409 when already a member)",
)
@api_view(["GET", "POST"])
def member_list(request):
    if request.method == "POST":
        return _enrol(request)
    prop = _prop(request)
    return Response(
        MemberRowSerializer(selectors.member_list(actor=request.user, property=prop), many=True).data
    )


def _valid(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def _enrol(request):
    from pms.problems import Conflict

    d = _valid(EnrolInSerializer, request.data)
    prop = get_property_or_404(request.user, d["property"], C.VIEW_GUEST_BASIC)
    found = selectors.member_for_guest(actor=request.user, guest_id=d["guest"], property=prop)
    if found["membership"] is not None:
        raise Conflict(_("This guest is already a member."))
    m = services.membership_enrol(
        actor=request.user,
        guest=found["guest"],
        property=prop,
        consent_email=d["consent_email"],
        consent_sms=d["consent_sms"],
    )
    detail = selectors.member_detail(actor=request.user, membership_id=m.pk, property=prop)
    return Response(MemberDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


def _ledger_write(request, membership_id, serializer_class, operation):
    """Validate, find the member at the property (404 and a denied event otherwise), run the service;
    a role that may not do it answers 404 like the screens. The answer is the member's new statement."""
    d = _valid(serializer_class, request.data)
    prop = get_property_or_404(request.user, d["property"], C.VIEW_GUEST_BASIC)
    m = selectors.member_detail(actor=request.user, membership_id=membership_id, property=prop).membership
    try:
        result = operation(d, m, prop)
    except PermissionDenied:
        raise Http404("Not available") from None
    detail = selectors.member_detail(actor=request.user, membership_id=membership_id, property=prop)
    body = MemberDetailSerializer(detail).data
    if isinstance(result, StoredValueAdjustment):
        body = {**body, "pending_adjustment": result.pk}
        return Response(body, status=status.HTTP_202_ACCEPTED)
    return Response(body, status=status.HTTP_201_CREATED)


LEDGER_PARAMS = [
    PROPERTY,
    OpenApiParameter(
        "before", int, description="The `next` of the previous page; absent for the newest entries."
    ),
    OpenApiParameter("limit", int, description="Entries per page, 1 to 200 (default 50)."),
]


def _ledger_page(request, membership_id, ledger, serializer_class):
    prop = _prop(request)
    q = request.query_params
    try:
        before = int(q["before"]) if q.get("before") else None
        limit = int(q.get("limit") or 50)
    except ValueError:
        raise serializers.ValidationError(
            {"before": [_("Give whole numbers for before and limit.")]}
        ) from None
    rows, nxt = selectors.member_ledger(
        actor=request.user,
        membership_id=membership_id,
        property=prop,
        ledger=ledger,
        before=before,
        limit=limit,
    )
    return Response({"results": serializer_class(rows, many=True).data, "next": nxt})


def _ledger_page_schema(name: str, entry_serializer, what: str):
    return extend_schema(
        methods=["GET"],
        parameters=LEDGER_PARAMS,
        responses=inline_serializer(
            name, {"results": entry_serializer(many=True), "next": serializers.IntegerField(allow_null=True)}
        ),
        summary=f"The {what} ledger, newest first, a page at a time",
    )


@_ledger_page_schema("PointsPage", PointsEntrySerializer, "points")
@extend_schema(
    methods=["POST"],
    request=PointsInSerializer,
    responses={201: MemberDetailSerializer},
    summary="Redeem points for a reward, or adjust them (manager, with a reason)",
)
@api_view(["GET", "POST"])
def member_points(request, membership_id):
    if request.method == "GET":
        return _ledger_page(request, membership_id, "points", PointsEntrySerializer)

    def operation(d, m, prop):
        if d["action"] == "redeem":
            return services.points_redeem(
                actor=request.user, membership=m, reward=d["reward"], quantity=d["quantity"], property=prop
            )
        if d.get("points") is None:
            raise DjangoValidationError({"points": [_("Enter a whole number of points.")]})
        return services.points_adjust(
            actor=request.user, membership=m, points=d["points"], reason=d["reason"], property=prop
        )

    return _ledger_write(request, membership_id, PointsInSerializer, operation)


@_ledger_page_schema("StoredValuePage", StoredValueEntrySerializer, "stored-value")
@extend_schema(
    methods=["POST"],
    request=StoredValueInSerializer,
    responses={201: MemberDetailSerializer, 202: MemberDetailSerializer},
    summary="Top up, refund or adjust stored value (202: the adjustment waits for a second approval)",
)
@api_view(["GET", "POST"])
def member_stored_value(request, membership_id):
    if request.method == "GET":
        return _ledger_page(request, membership_id, "stored_value", StoredValueEntrySerializer)

    def operation(d, m, prop):
        if d["action"] == "adjust":
            return services.stored_value_adjust(
                actor=request.user, membership=m, amount=d["amount"], reason=d["reason"], property=prop
            )
        op = services.stored_value_top_up if d["action"] == "top_up" else services.stored_value_refund
        return op(
            actor=request.user,
            membership=m,
            amount=d["amount"],
            payment_reference=d["payment_reference"],
            property=prop,
        )

    return _ledger_write(request, membership_id, StoredValueInSerializer, operation)


class CardSearchSerializer(serializers.Serializer):
    property = serializers.SlugField()
    card_number = serializers.CharField(
        max_length=40, error_messages={"blank": gettext_lazy("Give the card number.")}
    )


@extend_schema(
    request=CardSearchSerializer,
    responses=MemberRowSerializer(many=True),
    summary="Find a member by card number (POST: the number never goes into a URL)",
)
@api_view(["POST"])
def member_search(request):
    d = _valid(CardSearchSerializer, request.data)
    prop = get_property_or_404(request.user, d["property"], C.VIEW_GUEST_BASIC)
    rows = selectors.member_list(actor=request.user, property=prop, card_number=d["card_number"])
    return Response(MemberRowSerializer(rows, many=True).data)


@extend_schema(
    parameters=[PROPERTY], responses=MemberDetailSerializer, summary="A member: balances and statements"
)
@api_view(["GET"])
def member_detail(request, membership_id):
    prop = _prop(request)
    d = selectors.member_detail(actor=request.user, membership_id=membership_id, property=prop)
    return Response(MemberDetailSerializer(d).data)


def _offer_write(request, instance=None, partial=False):
    s = OfferSerializer(instance, data=request.data, partial=partial)
    s.is_valid(raise_exception=True)
    offer = instance or Offer()
    for key, value in s.validated_data.items():
        setattr(offer, key, value)
    return services.offer_save(actor=request.user, offer=offer)  # a refusal is a 400 (pms.problems)


@extend_schema(
    methods=["GET"], responses=OfferSerializer(many=True), summary="Offers (every role that sees members)"
)
@extend_schema(
    methods=["POST"],
    request=OfferSerializer,
    responses={201: OfferSerializer},
    summary="Create an offer (marketing)",
)
@api_view(["GET", "POST"])
def offer_list(request):
    from pms.permissions import require_any

    if request.method == "POST":
        if not services.may_manage_offers(request.user):
            raise Http404("Not available")
        return Response(OfferSerializer(_offer_write(request)).data, status=status.HTTP_201_CREATED)
    require_any(request.user, [C.VIEW_GUEST_BASIC, C.MARKETING])
    return Response(OfferSerializer(Offer.objects.all(), many=True).data)


@extend_schema(methods=["GET"], responses=OfferSerializer, summary="One offer (marketing)")
@extend_schema(
    methods=["PATCH"],
    request=OfferSerializer,
    responses=OfferSerializer,
    summary="Change an offer (marketing)",
)
@api_view(["GET", "PATCH"])
def offer_detail(request, code):
    offer = selectors.offer_for_change(actor=request.user, code=code)
    if request.method == "PATCH":
        offer = _offer_write(request, instance=offer, partial=True)
    return Response(OfferSerializer(offer).data)


@extend_schema(
    request=SegmentQuerySerializer,
    responses=SegmentPreviewSerializer,
    summary="Segment preview: count and a masked sample",
)
@api_view(["POST"])
def segment_preview(request):
    s = SegmentQuerySerializer(data=request.data)
    s.is_valid(raise_exception=True)
    criteria = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in s.validated_data.items()}
    p = selectors.segment_preview(actor=request.user, criteria=criteria)
    return Response(SegmentPreviewSerializer(p).data)


@extend_schema(
    parameters=[PROPERTY], responses=FeedbackSerializer(many=True), summary="Open feedback at a hotel"
)
@api_view(["GET"])
def feedback_list(request):
    prop = _prop(request)
    items = selectors.feedback_queue(
        actor=request.user, property=prop, department=request.query_params.get("department", "")
    )
    return Response(FeedbackSerializer(items, many=True).data)


@extend_schema(
    parameters=[PROPERTY],
    request=FeedbackSerializer,
    responses={201: FeedbackSerializer},
    summary="Record feedback",
)
@api_view(["POST"])
def feedback_create(request):
    prop = get_property_or_404(request.user, request.query_params.get("property", ""), C.VIEW_GUEST_BASIC)
    s = FeedbackSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    try:
        f = services.feedback_create(actor=request.user, property=prop, **s.validated_data)
    except PermissionDenied:
        raise Http404 from None
    return Response(FeedbackSerializer(f).data, status=status.HTTP_201_CREATED)
