"""Test data factories (factory-boy)."""

import factory
from django.contrib.auth import get_user_model

from pms.models import Property, StaffMembership

PASSWORD = "Correct-Horse-42"


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"hotel-{n}")
    name = factory.Sequence(lambda n: f"测试酒店{n}")
    name_en = factory.Sequence(lambda n: f"Test Hotel {n}")
    time_zone = "Asia/Shanghai"
    currency = "CNY"
    address = "上海市"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    property = factory.SubFactory(PropertyFactory)
    role = "front_desk"
