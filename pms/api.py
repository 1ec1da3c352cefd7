"""API views of the shell: the signed-in staff member and their properties."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Property
from .permissions import active_memberships, properties_for
from .roles import capabilities_of


class PropertySerializer(serializers.ModelSerializer):
    class Meta:
        model = Property
        fields = ["code", "name", "name_en", "time_zone", "currency", "address", "phone"]


class MembershipSerializer(serializers.Serializer):
    property = serializers.CharField(allow_null=True, source="property.code", default=None)
    role = serializers.CharField()
    capabilities = serializers.SerializerMethodField()

    def get_capabilities(self, obj) -> list[str]:
        return sorted(capabilities_of(obj.role))


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    memberships = MembershipSerializer(many=True)
    properties = PropertySerializer(many=True)


@extend_schema(responses=MeSerializer, summary="The signed-in staff member, their roles and properties")
@api_view(["GET"])
def me(request):
    user = request.user
    data = {
        "username": user.get_username(),
        "memberships": active_memberships(user),
        "properties": properties_for(user),
    }
    return Response(MeSerializer(data).data)


@extend_schema(responses=PropertySerializer(many=True), summary="Properties where the caller works")
@api_view(["GET"])
def property_list(request):
    return Response(PropertySerializer(properties_for(request.user), many=True).data)
