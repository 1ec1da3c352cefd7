"""The bookings API (/api/v1/bookings/, /availability/, /rooms/, /rate-plans/). Thin: parse, call one
service or selector, answer. Conflicts (the last room, a taken room, a stale version) are 409 with
the alternatives; bad input is 400; another property's booking is 404. Every answer that names a
guest went through a selector that recorded the access."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from pms.permissions import has_property_perm, properties_for
from pms.problems import Pagination, problem
from pms.roles import Capability

from . import selectors, services, taking
from .models import BookingChannel, BookingStatus, LineKind, RatePlan, Room, RoomBlock, RoomType

# ------------------------------------------------------------------ serializers


class NightPriceSerializer(serializers.Serializer):
    date = serializers.DateField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)


extend_schema_field_nights = extend_schema_field(NightPriceSerializer(many=True))
extend_schema_field_prices = extend_schema_field(
    {"type": "object", "additionalProperties": {"type": "string"}, "description": "Price per room type code"}
)


class BookingRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    property_code = serializers.CharField()
    guest_id = serializers.UUIDField()
    guest_masked = serializers.CharField(help_text="The guest's name, masked.")
    room_type = serializers.CharField()
    room = serializers.CharField()
    arrival = serializers.DateField()
    departure = serializers.DateField()
    nights = serializers.IntegerField()
    adults = serializers.IntegerField()
    children = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    version = serializers.IntegerField()


class FolioLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    night = serializers.DateField(allow_null=True)
    posted_at = serializers.DateTimeField()


class RoomMoveSerializer(serializers.Serializer):
    from_room = serializers.CharField(source="from_room.number", allow_null=True, default=None)
    to_room = serializers.CharField(source="to_room.number")
    in_house = serializers.BooleanField()
    reason = serializers.CharField()
    moved_at = serializers.DateTimeField()


class BookingDetailSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="booking.pk")
    reference = serializers.CharField(source="booking.reference")
    property_code = serializers.CharField(source="booking.property.code")
    guest_id = serializers.UUIDField(source="booking.guest_id")
    guest_name = serializers.CharField(
        source="booking.guest.display_name", help_text="The booking guest's name, for the desk to check."
    )
    room_type = serializers.CharField(source="booking.room_type.code")
    room = serializers.CharField(source="booking.room.number", allow_null=True, default=None)
    rate_plan = serializers.CharField(source="booking.rate_plan.code")
    arrival = serializers.DateField(source="booking.arrival")
    departure = serializers.DateField(source="booking.departure")
    adults = serializers.IntegerField(source="booking.adults")
    children = serializers.IntegerField(source="booking.children")
    nightly_prices = serializers.SerializerMethodField()
    total = serializers.DecimalField(source="booking.total", max_digits=12, decimal_places=2)
    currency = serializers.CharField(source="booking.currency")
    status = serializers.ChoiceField(source="booking.status", choices=BookingStatus.choices)
    channel = serializers.ChoiceField(source="booking.channel", choices=BookingChannel.choices)
    special_requests = serializers.CharField(source="booking.special_requests")
    cancellation_fee = serializers.DecimalField(
        source="booking.cancellation_fee", max_digits=12, decimal_places=2, allow_null=True
    )
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    folio = FolioLineSerializer(source="lines", many=True)
    room_moves = RoomMoveSerializer(source="moves", many=True)
    companions = serializers.SerializerMethodField(
        help_text="Other registered guests of the stay: their ids and masked names."
    )

    def get_companions(self, obj) -> list[dict]:
        return [{"guest_id": gid, "name_masked": name} for gid, name in obj.companions]

    version = serializers.IntegerField(source="booking.version")

    @extend_schema_field_nights
    def get_nightly_prices(self, obj) -> list[dict]:
        return [{"date": d.isoformat(), "price": str(p)} for d, p in obj.booking.night_prices()]


class NewGuestSerializer(serializers.Serializer):
    family_name = serializers.CharField(max_length=100)
    given_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)


class BookingCreateSerializer(serializers.Serializer):
    property = serializers.SlugField(help_text="Property code.")
    guest = serializers.UUIDField(required=False, help_text="An existing guest's id, or give new_guest.")
    guest_pass = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="The document_pass of a guest search hit from another hotel (found by ID number).",
    )
    new_guest = NewGuestSerializer(required=False)
    room_type = serializers.SlugField(help_text="Room type code.")
    rate_plan = serializers.SlugField(help_text="Rate plan code.")
    arrival = serializers.DateField()
    departure = serializers.DateField()
    adults = serializers.IntegerField(min_value=1, default=1)
    children = serializers.IntegerField(min_value=0, default=0)
    channel = serializers.ChoiceField(choices=BookingChannel.choices, default=BookingChannel.PHONE)
    special_requests = serializers.CharField(required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if not attrs.get("guest") and not attrs.get("new_guest"):
            raise serializers.ValidationError({"guest": _("Give the guest's id or a new guest.")})
        return attrs


class BookingModifySerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; a stale one answers 409.")
    arrival = serializers.DateField(required=False)
    departure = serializers.DateField(required=False)
    room_type = serializers.SlugField(required=False)
    rate_plan = serializers.SlugField(required=False)
    adults = serializers.IntegerField(min_value=1, required=False)
    children = serializers.IntegerField(min_value=0, required=False)
    special_requests = serializers.CharField(required=False, allow_blank=True)


class BookingCancelSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField()


class DocumentSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    doc_type = serializers.CharField(max_length=20)
    number = serializers.CharField(max_length=40)
    nationality = serializers.CharField(max_length=2, default="CN")


class CheckInSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    room = serializers.CharField(
        required=False, help_text="Room number; the first clean free room if absent."
    )
    documents = DocumentSerializer(many=True)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class QuoteSerializer(serializers.Serializer):
    room_type = serializers.CharField(source="room_type.code")
    room_type_name = serializers.CharField(source="room_type.display_name")
    rate_plan = serializers.CharField(source="rate_plan.code")
    available = serializers.IntegerField()
    bookable = serializers.BooleanField()
    nightly = serializers.SerializerMethodField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(source="room_type.property.currency")

    @extend_schema_field_nights
    def get_nightly(self, obj) -> list[dict]:
        return [{"date": d.isoformat(), "price": str(p)} for d, p in obj.nightly]


class RoomSerializer(serializers.ModelSerializer):
    room_type = serializers.CharField(source="room_type.code")
    out_of_order_until = serializers.SerializerMethodField(
        help_text="While the room is out of order today: the first night it is sold again; else null."
    )

    class Meta:
        model = Room
        fields = [
            "number",
            "floor",
            "room_type",
            "features",
            "housekeeping",
            "is_active",
            "out_of_order_until",
        ]

    def get_out_of_order_until(self, obj) -> str | None:
        until = self.context.get("out_of_order", {}).get(obj.pk)
        return until.isoformat() if until else None


class RatePlanSerializer(serializers.ModelSerializer):
    prices = serializers.SerializerMethodField()

    class Meta:
        model = RatePlan
        fields = ["code", "name", "name_en", "meal_plan", "free_cancel_hours", "is_active", "prices"]

    @extend_schema_field_prices
    def get_prices(self, obj) -> dict:
        return {p.room_type.code: str(p.price) for p in obj.prices.select_related("room_type")}


ConflictSerializer = inline_serializer(
    "BookingConflictProblem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "alternatives": QuoteSerializer(many=True),
    },
)
Problem = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
    },
)

# ------------------------------------------------------------------ helpers


def _conflict(exc: services.BookingConflict) -> Response:
    body = problem(409, _("Conflict"), exc.message)
    body["alternatives"] = QuoteSerializer(exc.alternatives, many=True).data
    return Response(body, status=409, content_type="application/problem+json")


def _property(request, code: str, capability: str):
    for prop in properties_for(request.user):
        if prop.code == code and has_property_perm(request.user, capability, prop):
            return prop
    raise Http404


def _room_type(prop, code):
    rt = RoomType.objects.filter(property=prop, code=code).first()
    if rt is None:
        raise serializers.ValidationError({"room_type": _("No such room type at this hotel.")})
    return rt


def _rate_plan(prop, code):
    rp = RatePlan.objects.filter(property=prop, code=code).first()
    if rp is None:
        raise serializers.ValidationError({"rate_plan": _("No such rate plan at this hotel.")})
    return rp


def _detail_response(request, booking_id, code=status.HTTP_200_OK) -> Response:
    detail = selectors.booking_detail(actor=request.user, booking_id=booking_id)
    return Response(BookingDetailSerializer(detail).data, status=code)


def _booking_for(request, booking_id, capability):
    """The booking if the caller may see it and do `capability` at its property, else 404."""
    return selectors.booking_for_change(actor=request.user, booking_id=booking_id, capability=capability)


def _booking_action(request, booking_id, capability, serializer_class, run) -> Response:
    """Every booking action has this shape: the booking (404 unless the caller may), validated
    input (400), `run(booking, data)` through a service (409 on a conflict), the booking's new state."""
    booking = _booking_for(request, booking_id, capability)
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    try:
        run(booking, s.validated_data)
    except services.BookingConflict as exc:
        return _conflict(exc)
    return _detail_response(request, booking_id)


def _room_numbered(prop, number: str) -> Room:
    room = Room.objects.filter(property=prop, number=number, is_active=True).first()
    if room is None:
        raise serializers.ValidationError({"room": _("No such room at this hotel.")})
    return room


CONFLICT = OpenApiResponse(ConflictSerializer, description="The room has just gone, or the booking changed.")
BAD = OpenApiResponse(Problem, description="Invalid input; nothing was changed.")
NOT_FOUND = OpenApiResponse(Problem, description="No such booking, or not at a hotel where you work.")

# ------------------------------------------------------------------ views


@extend_schema(
    methods=["GET"],
    summary="Search bookings (names masked); records a search event",
    parameters=[
        OpenApiParameter("property", str, description="Property code (default: every hotel you work at)"),
        OpenApiParameter("reference", str),
        OpenApiParameter("name", str, description="Guest name or part of it"),
        OpenApiParameter("arrival_from", OpenApiTypes.DATE),
        OpenApiParameter("arrival_to", OpenApiTypes.DATE),
        OpenApiParameter("status", str, enum=BookingStatus.values),
    ],
    responses={200: BookingRowSerializer(many=True)},
)
@extend_schema(
    methods=["POST"],
    summary="Take a booking",
    request=BookingCreateSerializer,
    responses={201: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: CONFLICT},
)
@api_view(["GET", "POST"])
def booking_list(request):
    if request.method == "POST":
        return _booking_create(request)
    q = request.query_params
    params = {}
    for key in ("arrival_from", "arrival_to"):
        if q.get(key):
            params[key] = serializers.DateField().to_internal_value(q[key])
    props = None
    if q.get("property"):
        props = [p for p in selectors.booking_properties(request.user) if p.code == q["property"]]
        if not props:
            raise Http404
    if not (q.get("reference") or q.get("name") or params or q.get("property")):
        raise serializers.ValidationError(
            {"reference": _("Give a reference, a name, an arrival date or a property to search.")}
        )
    if not selectors.booking_properties(request.user):
        raise Http404
    rows = selectors.booking_search(
        actor=request.user,
        properties=props,
        reference=q.get("reference", ""),
        name=q.get("name", ""),
        status=q.get("status", ""),
        limit=200,
        **params,
    )
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(BookingRowSerializer(page, many=True).data)


def _booking_create(request):
    s = BookingCreateSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    d = s.validated_data
    prop = _property(request, d["property"], Capability.MANAGE_BOOKINGS)
    room_type, rate_plan = _room_type(prop, d["room_type"]), _rate_plan(prop, d["rate_plan"])
    try:
        booking = taking.booking_take(
            actor=request.user,
            property=prop,
            guest_id=d.get("guest"),
            document_pass=d["guest_pass"],
            new_guest=d.get("new_guest"),
            room_type=room_type,
            rate_plan=rate_plan,
            arrival=d["arrival"],
            departure=d["departure"],
            adults=d["adults"],
            children=d["children"],
            channel=d["channel"],
            special_requests=d["special_requests"],
        )
    except services.BookingConflict as exc:
        return _conflict(exc)
    return _detail_response(request, booking.pk, status.HTTP_201_CREATED)


@extend_schema(
    methods=["GET"],
    summary="One booking with its folio; records a view event",
    responses={200: BookingDetailSerializer, 404: NOT_FOUND},
)
@extend_schema(
    methods=["PATCH"],
    summary="Change dates, room type, plan or party (new price); give the version you read",
    request=BookingModifySerializer,
    responses={200: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: CONFLICT},
)
@api_view(["GET", "PATCH"])
def booking_detail(request, booking_id):
    if request.method == "GET":
        return _detail_response(request, booking_id)
    booking = _booking_for(request, booking_id, Capability.MANAGE_BOOKINGS)
    s = BookingModifySerializer(data=request.data)
    s.is_valid(raise_exception=True)
    d = dict(s.validated_data)
    prop = booking.property
    if "room_type" in d:
        d["room_type"] = _room_type(prop, d["room_type"])
    if "rate_plan" in d:
        d["rate_plan"] = _rate_plan(prop, d["rate_plan"])
    try:
        services.booking_modify(actor=request.user, booking=booking, **d)
    except services.BookingConflict as exc:
        return _conflict(exc)
    return _detail_response(request, booking_id)


@extend_schema(
    summary="Cancel a booking (the policy's fee applies after the free-cancellation deadline)",
    request=BookingCancelSerializer,
    responses={200: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: CONFLICT},
)
@api_view(["POST"])
def booking_cancel(request, booking_id):
    def run(booking, d):
        services.booking_cancel(actor=request.user, booking=booking, **d)

    return _booking_action(request, booking_id, Capability.MANAGE_BOOKINGS, BookingCancelSerializer, run)


@extend_schema(
    summary="Check in: a clean room and the identity document of every adult",
    request=CheckInSerializer,
    responses={200: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: CONFLICT},
)
@api_view(["POST"])
def booking_check_in(request, booking_id):
    def run(booking, d):
        room = _room_numbered(booking.property, d["room"]) if d.get("room") else None
        docs = [services.IdentityDocumentInput(**doc) for doc in d["documents"]]
        services.booking_check_in(
            actor=request.user, booking=booking, version=d["version"], documents=docs, room=room
        )

    return _booking_action(request, booking_id, Capability.CHECK_IN_OUT, CheckInSerializer, run)


@extend_schema(
    summary="Check out (refused while the folio has an unpaid balance)",
    request=VersionSerializer,
    responses={200: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: CONFLICT},
)
@api_view(["POST"])
def booking_check_out(request, booking_id):
    def run(booking, d):
        services.booking_check_out(actor=request.user, booking=booking, version=d["version"])

    return _booking_action(request, booking_id, Capability.CHECK_IN_OUT, VersionSerializer, run)


class DepartureSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; a stale one answers 409.")
    departure = serializers.DateField(help_text="The new departure date (after today).")


@extend_schema(
    summary="Extend or shorten an in-house stay (the guest keeps the room)",
    description=(
        "Nights added are priced under the booking's rate plan and taken from the inventory; nights "
        "given back go on sale again. 409 when the room type is full for the added nights or the room "
        "is promised to another booking."
    ),
    request=DepartureSerializer,
    responses={200: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: CONFLICT},
)
@api_view(["POST"])
def booking_departure(request, booking_id):
    def run(booking, d):
        services.booking_departure_change(actor=request.user, booking=booking, **d)

    return _booking_action(request, booking_id, Capability.CHECK_IN_OUT, DepartureSerializer, run)


class MoveSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; a stale one answers 409.")
    room = serializers.CharField(max_length=10, help_text="The new room's number.")
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


@extend_schema(
    summary="Move a stay to another room (another type moves the remaining nights' inventory)",
    request=MoveSerializer,
    responses={200: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: CONFLICT},
)
@api_view(["POST"])
def booking_move(request, booking_id):
    def run(booking, d):
        room = _room_numbered(booking.property, d["room"])
        services.booking_room_move(
            actor=request.user, booking=booking, version=d["version"], room=room, reason=d["reason"]
        )

    return _booking_action(request, booking_id, Capability.CHECK_IN_OUT, MoveSerializer, run)


class VoucherInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="The member's voucher code.")


@extend_schema(
    summary="Redeem a member's voucher on a checked-in booking's folio (once; its credit line)",
    request=VoucherInSerializer,
    responses={201: BookingDetailSerializer, 400: BAD, 404: NOT_FOUND},
)
@api_view(["POST"])
def booking_voucher(request, booking_id):
    from . import settlement

    booking = _booking_for(request, booking_id, Capability.TAKE_PAYMENTS)
    s = VoucherInSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    settlement.redeem_code(actor=request.user, booking=booking, code=s.validated_data["code"])
    return _detail_response(request, booking_id, code=status.HTTP_201_CREATED)


@extend_schema(
    summary="Room types that take the party for these dates, with rooms left and the price",
    parameters=[
        OpenApiParameter("property", str, required=True),
        OpenApiParameter("arrival", OpenApiTypes.DATE, required=True),
        OpenApiParameter("departure", OpenApiTypes.DATE, required=True),
        OpenApiParameter("adults", int),
        OpenApiParameter("children", int),
        OpenApiParameter("rate_plan", str, description="Rate plan code (default: every active plan)"),
    ],
    responses={200: QuoteSerializer(many=True), 400: BAD, 404: NOT_FOUND},
)
@api_view(["GET"])
def availability(request):
    q = request.query_params
    s = inline_query(q)
    prop = _property(request, s["property"], Capability.MANAGE_BOOKINGS)
    if s["departure"] <= s["arrival"]:
        raise serializers.ValidationError({"departure": _("The departure must be after the arrival.")})
    if (s["departure"] - s["arrival"]).days > 90:
        raise serializers.ValidationError({"departure": _("At most 90 nights.")})
    plan = _rate_plan(prop, s["rate_plan"]) if s.get("rate_plan") else None
    quotes = services.availability(
        property=prop,
        arrival=s["arrival"],
        departure=s["departure"],
        adults=s["adults"],
        children=s["children"],
        rate_plan=plan,
    )
    return Response(QuoteSerializer(quotes, many=True).data)


class AvailabilityQuery(serializers.Serializer):
    property = serializers.SlugField()
    arrival = serializers.DateField()
    departure = serializers.DateField()
    adults = serializers.IntegerField(min_value=1, default=1)
    children = serializers.IntegerField(min_value=0, default=0)
    rate_plan = serializers.SlugField(required=False)


def inline_query(q) -> dict:
    s = AvailabilityQuery(data=q)
    s.is_valid(raise_exception=True)
    return s.validated_data


def _config_property(request):
    code = request.query_params.get("property", "")
    for prop in properties_for(request.user):
        if prop.code == code and (
            selectors.may_view_bookings(request.user, prop)
            or has_property_perm(request.user, Capability.CONFIGURE_PROPERTY, prop)
        ):
            return prop
    raise Http404


@extend_schema(
    summary="Rooms of a property with their housekeeping status",
    parameters=[OpenApiParameter("property", str, required=True)],
    responses={200: RoomSerializer(many=True), 404: NOT_FOUND},
)
@api_view(["GET"])
def room_list(request):
    prop = _config_property(request)
    rooms = Room.objects.filter(property=prop).select_related("room_type").order_by("number")
    today = services.local_today(prop)
    out_of_order = dict(
        RoomBlock.objects.filter(
            room__property=prop, released_at__isnull=True, start__lte=today, end__gt=today
        ).values_list("room_id", "end")
    )
    return Response(RoomSerializer(rooms, many=True, context={"out_of_order": out_of_order}).data)


@extend_schema(
    summary="Rate plans of a property with their base prices per room type",
    parameters=[OpenApiParameter("property", str, required=True)],
    responses={200: RatePlanSerializer(many=True), 404: NOT_FOUND},
)
@api_view(["GET"])
def rate_plan_list(request):
    prop = _config_property(request)
    return Response(RatePlanSerializer(RatePlan.objects.filter(property=prop), many=True).data)


# ------------------------------------------------------------------ rooms out of order


class RoomBlockSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    property = serializers.SlugField(write_only=True, help_text="Property code.")
    room = serializers.CharField(max_length=10, help_text="Room number.")
    start = serializers.DateField(help_text="The first night out of order (today or later).")
    end = serializers.DateField(help_text="The first night the room is sold again.")
    reason = serializers.CharField(max_length=200)
    released_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, instance):
        return {
            "id": instance.pk,
            "room": instance.room.number,
            "start": instance.start.isoformat(),
            "end": instance.end.isoformat(),
            "reason": instance.reason,
            "released_at": instance.released_at.isoformat() if instance.released_at else None,
        }


@extend_schema(
    methods=["GET"],
    summary="Rooms out of order now or later at a property",
    parameters=[OpenApiParameter("property", str, required=True)],
    responses={200: RoomBlockSerializer(many=True), 404: NOT_FOUND},
)
@extend_schema(
    methods=["POST"],
    summary="Take a room out of order for a period (out of sale, not given to a booking)",
    request=RoomBlockSerializer,
    responses={201: RoomBlockSerializer, 400: BAD, 404: NOT_FOUND},
)
@api_view(["GET", "POST"])
def room_block_list(request):
    if request.method == "GET":
        prop = _property(request, request.query_params.get("property", ""), Capability.CHECK_IN_OUT)
        blocks = (
            RoomBlock.objects.filter(
                room__property=prop, released_at__isnull=True, end__gt=services.local_today(prop)
            )
            .select_related("room")
            .order_by("start", "room__number")
        )
        return Response(RoomBlockSerializer(blocks, many=True).data)
    s = RoomBlockSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    d = s.validated_data
    prop = _property(request, d["property"], Capability.CHECK_IN_OUT)
    room = _room_numbered(prop, d["room"])
    block = services.room_block_create(
        actor=request.user, room=room, start=d["start"], end=d["end"], reason=d["reason"]
    )
    return Response(RoomBlockSerializer(block).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Return a room to sale before its out-of-order period ends",
    request=None,
    responses={200: RoomBlockSerializer, 400: BAD, 404: NOT_FOUND},
)
@api_view(["POST"])
def room_block_release(request, pk):
    block = RoomBlock.objects.select_related("room__property").filter(pk=pk).first()
    if block is None or not has_property_perm(request.user, Capability.CHECK_IN_OUT, block.room.property):
        raise Http404
    block = services.room_block_release(actor=request.user, block=block)
    return Response(RoomBlockSerializer(block).data)
