"""Demo data of the shell: two hotels of a group in China and one staff user per role.

Idempotent: a second run finds what the first made and adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Property, StaffMembership
from .roles import Role

DEMO_PASSWORD = "Demo-Hotel-2026"

PROPERTIES = [
    {
        "code": "sh-bund",
        "name": "上海外滩江景酒店",
        "name_en": "Bund Riverside Hotel Shanghai",
        "time_zone": "Asia/Shanghai",
        "currency": "CNY",
        "address": "上海市黄浦区中山东一路 88 号",
        "address_en": "88 Zhongshan East 1st Road, Huangpu District, Shanghai",
        "phone": "+86 21 6321 8888",
    },
    {
        "code": "hz-westlake",
        "name": "杭州西湖花园酒店",
        "name_en": "West Lake Garden Hotel Hangzhou",
        "time_zone": "Asia/Shanghai",
        "currency": "CNY",
        "address": "浙江省杭州市西湖区北山街 36 号",
        "address_en": "36 Beishan Street, Xihu District, Hangzhou, Zhejiang",
        "phone": "+86 571 8797 6666",
    },
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    property_code: str | None


USERS = [
    DemoUser("alice", "Alice", "Wang", Role.FRONT_DESK, "sh-bund"),
    DemoUser("carol", "Carol", "Li", Role.FRONT_DESK, "hz-westlake"),
    DemoUser("heidi", "Heidi", "Zhao", Role.RESERVATIONS, "sh-bund"),
    DemoUser("bob", "Bob", "Chen", Role.MANAGER, "sh-bund"),
    DemoUser("ivan", "Ivan", "Sun", Role.MANAGER, "hz-westlake"),
    DemoUser("frank", "Frank", "Zhou", Role.SUPERVISOR, None),
    DemoUser("grace", "Grace", "Wu", Role.MARKETING, None),
    DemoUser("erin", "Erin", "Xu", Role.IT_ADMIN, None),
    DemoUser("dave", "Dave", "Huang", Role.COMPLIANCE, None),
]


@transaction.atomic
def load(out) -> None:
    props = {}
    for data in PROPERTIES:
        prop, created = Property.objects.get_or_create(code=data["code"], defaults=data)
        props[prop.code] = prop
        if created:
            out(f"  property {prop.code}: {prop.name_en}")
    User = get_user_model()
    for u in USERS:
        user, created = User.objects.get_or_create(
            username=u.username,
            defaults={
                "first_name": u.first_name,
                "last_name": u.last_name,
                "email": f"{u.username}@demo-hotels.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            out(f"  staff {u.username}: {u.role}")
        StaffMembership.objects.get_or_create(
            user=user, property=props[u.property_code] if u.property_code else None, role=u.role
        )


def logins_table() -> str:
    rows = [f"  {'user':<8} {'role':<14} {'hotel':<30} password"]
    for u in USERS:
        hotel = next(
            (p["name_en"] for p in PROPERTIES if p["code"] == u.property_code), "all hotels (group-wide)"
        )
        rows.append(f"  {u.username:<8} {u.role:<14} {hotel:<30} {DEMO_PASSWORD}")
    return "\n".join(rows)
