"""REST API of guest profiles (/api/v1/guests/...). Thin: the same services and selectors as the
screens, so gating and masking are the same. No personal value in a URL: search is a POST.

Every call names the property it works at (`property`: a code, in the body or, for GET, the query);
a property where the caller does not work answers 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from pms.permissions import get_property_or_404

from . import selectors, services
from .models import AccessGrant, ConsentChannel, DocumentType, Gender, Guest, ReviewVerdict

# ------------------------------------------------------------------ serializers


class PropertyField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Code of the property the caller works at, e.g. sh-bund.")
        super().__init__(**kwargs)


class SearchInSerializer(serializers.Serializer):
    property = PropertyField()
    id_number = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    criteria = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Criteria other apps registered (booking_reference, room_number, card_number, ...).",
    )
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)


class GuestRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    document_type = serializers.CharField()
    document = serializers.CharField(help_text="Masked.")
    phone = serializers.CharField(help_text="Masked.")
    email = serializers.CharField(help_text="Masked.")
    nationality = serializers.CharField()
    is_vip = serializers.BooleanField()
    openable = serializers.BooleanField(help_text="Whether the caller may open the profile at this property.")
    document_pass = serializers.CharField(
        help_text="For a guest found by ID number at another hotel: pass it with a new booking (guest_pass) "
        "to book the guest here. Valid for GUEST_DOCUMENT_PASS_MINUTES, for the caller at this property."
    )


class SearchOutSerializer(serializers.Serializer):
    results = GuestRowSerializer(many=True)
    truncated = serializers.BooleanField()


class DocumentInSerializer(serializers.Serializer):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    number = serializers.CharField()
    issuing_country = serializers.CharField(required=False, allow_blank=True)
    expires_on = serializers.DateField(required=False, allow_null=True)


class GuestInSerializer(serializers.Serializer):
    property = PropertyField()
    family_name = serializers.CharField(required=False, allow_blank=True)
    given_name = serializers.CharField(required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    nationality = serializers.CharField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    date_of_birth = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    address = serializers.CharField(required=False, allow_blank=True)
    special_needs = serializers.CharField(required=False, allow_blank=True)
    staff_notes = serializers.CharField(required=False, allow_blank=True)
    is_vip = serializers.BooleanField(required=False)
    marketing_consent = serializers.BooleanField(required=False)
    marketing_consent_channel = serializers.ChoiceField(
        choices=ConsentChannel.choices, required=False, allow_blank=True
    )
    tags = serializers.ListField(child=serializers.SlugField(), required=False)
    documents = DocumentInSerializer(many=True, required=False)


class DocumentOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.CharField()
    number = serializers.CharField(help_text="Masked.")
    issuing_country = serializers.CharField()


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()


class GuestOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    level = serializers.ChoiceField(choices=[("basic", "basic"), ("full", "full")])
    name = serializers.CharField()
    family_name = serializers.CharField()
    given_name = serializers.CharField()
    gender = serializers.CharField()
    nationality = serializers.CharField()
    documents = DocumentOutSerializer(many=True)
    phone = serializers.CharField(help_text="Masked.")
    email = serializers.CharField(help_text="Masked.")
    birthday = serializers.CharField(help_text="MM-DD; full level only (empty otherwise).")
    tags = serializers.ListField(child=serializers.CharField())
    special_needs = serializers.CharField()
    is_vip = serializers.BooleanField()
    staff_notes = serializers.CharField(required=False, help_text="Full level only.")
    address = serializers.CharField(required=False, help_text="Full level only.")
    can_reveal = serializers.BooleanField()
    grant_expires_at = serializers.DateTimeField(allow_null=True)
    sections = SectionSerializer(many=True)


class RevealInSerializer(serializers.Serializer):
    property = PropertyField()
    field = serializers.ChoiceField(choices=[(f, f) for f in selectors.REVEAL_FIELDS])
    reason = serializers.CharField(allow_blank=True)
    document_id = serializers.UUIDField(required=False, allow_null=True)


class RevealOutSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField(help_text="Unmasked; recorded as a reveal event. Do not store it.")


class ReasonInSerializer(serializers.Serializer):
    property = PropertyField()
    reason = serializers.CharField(allow_blank=True)


class GrantSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.get_username")
    property = serializers.CharField(source="property.code")
    approver = serializers.SerializerMethodField()
    review_verdict = serializers.CharField(help_text="justified, unjustified, or empty while open.")

    class Meta:
        model = AccessGrant
        fields = [
            "id", "guest", "requester", "property", "kind", "reason", "state", "approver", "decision_note",
            "approved_at", "expires_at", "review_verdict", "review_note", "revoked_at", "revoke_note",
            "created_at",
        ]  # fmt: skip

    def get_approver(self, obj) -> str | None:
        return obj.approver.get_username() if obj.approver_id else None


class NoteInSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewInSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=ReviewVerdict.choices)
    note = serializers.CharField(required=False, allow_blank=True)


def _valid(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    if not s.is_valid():
        raise DRFValidationError(s.errors)
    return dict(s.validated_data)


def _profile_body(profile) -> dict:
    guest = profile.guest
    masked = profile.masked
    body = {
        "id": guest.pk,
        "level": profile.level,
        "name": masked["name"],
        "family_name": guest.family_name,
        "given_name": guest.given_name,
        "gender": guest.gender,
        "nationality": guest.nationality,
        "documents": [
            {"id": d["id"], "type": d["type"], "number": d["number"], "issuing_country": d["issuing_country"]}
            for d in masked["documents"]
        ],
        "phone": masked["phone"],
        "email": masked["email"],
        "birthday": masked["birthday"] if profile.level == "full" else "",
        "tags": [t.code for t in guest.tags.all()],
        "special_needs": guest.special_needs,
        "is_vip": guest.is_vip,
        "can_reveal": profile.can_reveal,
        "grant_expires_at": profile.grant.expires_at if profile.grant else None,
        "sections": [{"key": s.key, "title": str(s.title)} for s, _ctx in profile.sections],
    }
    if profile.level == "full":
        body["staff_notes"] = guest.staff_notes
        body["address"] = guest.address
    return body


# ------------------------------------------------------------------ views


@extend_schema(request=SearchInSerializer, responses=SearchOutSerializer, summary="Search guests (masked)")
@api_view(["POST"])
def guest_search(request):
    data = _valid(SearchInSerializer, request.data)
    prop = get_property_or_404(request.user, data.pop("property"), "search_guests")
    criteria = {**data.pop("criteria", {})}
    for key in ("id_number", "phone", "email", "name"):
        if data.get(key):
            criteria[key] = data[key]
    result = selectors.guest_search(
        actor=request.user,
        property=prop,
        criteria=criteria,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    return Response(
        SearchOutSerializer(
            {"results": [r.__dict__ for r in result.rows], "truncated": result.truncated}
        ).data
    )


@extend_schema(request=GuestInSerializer, responses={201: GuestOutSerializer}, summary="Create a guest")
@api_view(["POST"])
def guest_create(request):
    data = _valid(GuestInSerializer, request.data)
    prop = get_property_or_404(request.user, data.pop("property"), "view_guest_basic")
    guest = services.guest_create(actor=request.user, property=prop, **data)
    profile = selectors.guest_profile(actor=request.user, guest_id=guest.pk, property=prop)
    return Response(GuestOutSerializer(_profile_body(profile)).data, status=status.HTTP_201_CREATED)


_PROPERTY_PARAM = OpenApiParameter("property", str, required=True, description="Property code")


@extend_schema(
    methods=["GET"], parameters=[_PROPERTY_PARAM], responses=GuestOutSerializer, summary="A guest profile"
)
@extend_schema(
    methods=["PATCH"], request=GuestInSerializer, responses=GuestOutSerializer, summary="Change a guest"
)
@api_view(["GET", "PATCH"])
def guest_detail(request, guest_id):
    if request.method == "GET":
        prop = get_property_or_404(request.user, request.query_params.get("property", ""))
        profile = selectors.guest_profile(actor=request.user, guest_id=guest_id, property=prop)
        return Response(GuestOutSerializer(_profile_body(profile)).data)
    serializer = GuestInSerializer(data=request.data, partial=True)
    if not serializer.is_valid():
        raise DRFValidationError(serializer.errors)
    data = dict(serializer.validated_data)
    prop = get_property_or_404(request.user, request.data.get("property", ""))
    data.pop("property", None)
    guest = get_object_or_404(Guest, pk=guest_id)
    services.guest_update(actor=request.user, property=prop, guest=guest, **data)
    profile = selectors.guest_profile(actor=request.user, guest_id=guest.pk, property=prop)
    return Response(GuestOutSerializer(_profile_body(profile)).data)


@extend_schema(
    request=RevealInSerializer, responses=RevealOutSerializer, summary="Reveal one value, for a reason"
)
@api_view(["POST"])
def guest_reveal(request, guest_id):
    data = _valid(RevealInSerializer, request.data)
    prop = get_property_or_404(request.user, data["property"])
    value = selectors.guest_reveal(
        actor=request.user,
        guest_id=guest_id,
        property=prop,
        field=data["field"],
        reason=data["reason"],
        document_id=data.get("document_id"),
    )
    return Response({"field": data["field"], "value": value})


@extend_schema(
    request=ReasonInSerializer, responses={201: GrantSerializer}, summary="Ask for full access (dual review)"
)
@api_view(["POST"])
def grant_request(request, guest_id):
    data = _valid(ReasonInSerializer, request.data)
    prop = get_property_or_404(request.user, data["property"], "view_guest_basic")
    guest = get_object_or_404(Guest, pk=guest_id)
    grant = services.grant_request(actor=request.user, property=prop, guest=guest, reason=data["reason"])
    return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)


@extend_schema(request=ReasonInSerializer, responses={201: GrantSerializer}, summary="Break the glass")
@api_view(["POST"])
def break_glass(request, guest_id):
    data = _valid(ReasonInSerializer, request.data)
    prop = get_property_or_404(request.user, data["property"])
    guest = get_object_or_404(Guest, pk=guest_id, erased_at__isnull=True)
    grant = services.grant_break_glass(actor=request.user, property=prop, guest=guest, reason=data["reason"])
    return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[_PROPERTY_PARAM], responses=GrantSerializer(many=True), summary="Open access requests"
)
@api_view(["GET"])
def grant_list(request):
    prop = get_property_or_404(request.user, request.query_params.get("property", ""), "approve_access")
    return Response(GrantSerializer(selectors.grant_queue(actor=request.user, property=prop), many=True).data)


def _grant_for_decider(request, grant_id) -> AccessGrant:
    return selectors.grant_for_decision(actor=request.user, grant_id=grant_id)


@extend_schema(request=NoteInSerializer, responses=GrantSerializer, summary="Approve an access request")
@api_view(["POST"])
def grant_approve(request, grant_id):
    data = _valid(NoteInSerializer, request.data)
    grant = services.grant_approve(
        actor=request.user, grant=_grant_for_decider(request, grant_id), note=data.get("note", "")
    )
    return Response(GrantSerializer(grant).data)


@extend_schema(request=NoteInSerializer, responses=GrantSerializer, summary="Refuse an access request")
@api_view(["POST"])
def grant_refuse(request, grant_id):
    data = _valid(NoteInSerializer, request.data)
    grant = services.grant_refuse(
        actor=request.user, grant=_grant_for_decider(request, grant_id), note=data.get("note", "")
    )
    return Response(GrantSerializer(grant).data)


@extend_schema(
    request=ReviewInSerializer, responses=GrantSerializer, summary="Review a break-the-glass access"
)
@api_view(["POST"])
def grant_review(request, grant_id):
    data = _valid(ReviewInSerializer, request.data)
    grant = services.grant_review(
        actor=request.user,
        grant=_grant_for_decider(request, grant_id),
        verdict=data["verdict"],
        note=data.get("note", ""),
    )
    return Response(GrantSerializer(grant).data)


@extend_schema(
    request=NoteInSerializer,
    responses=GrantSerializer,
    summary="End an open access grant early",
    description="A manager of the grant's property (a note is required and shown to the requester) or the "
    "requester. 409 when the grant is not open any more; 404 for a grant the caller may not end.",
)
@api_view(["POST"])
def grant_revoke(request, grant_id):
    data = _valid(NoteInSerializer, request.data)
    grant = selectors.grant_to_revoke(actor=request.user, grant_id=grant_id)
    grant = services.grant_revoke(actor=request.user, grant=grant, note=data.get("note", ""))
    return Response(GrantSerializer(grant).data)
