"""Demo data of the guests app: the preference-tag vocabulary and a few hundred fictitious guests
with realistic Chinese and foreign names, checksum-correct (fictitious) resident ID numbers,
passports for foreigners, phones, e-mails at example domains, tags and consents.

Idempotent: the vocabulary is get-or-create; guests are added only when none are there yet.
Encryption runs in the fields' pre_save, which bulk_create calls too (primary keys are UUIDs set
at construction), so the whole load is a handful of bulk inserts.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from pms.models import Property

from .models import ConsentChannel, DocumentType, Gender, Guest, IdentityDocument, PreferenceTag
from .testing import prc_id

TAGS = [
    ("non-smoking", "无烟房", "Non-smoking room", "room"),
    ("quiet-room", "安静房间", "Quiet room", "room"),
    ("high-floor", "高楼层", "High floor", "room"),
    ("low-floor", "低楼层", "Low floor", "room"),
    ("favourite-king", "偏好大床房", "Prefers a king room", "room"),
    ("favourite-twin", "偏好双床房", "Prefers a twin room", "room"),
    ("late-riser", "晚起", "Late riser", "sleep"),
    ("early-riser", "早起", "Early riser", "sleep"),
    ("pillow-soft", "软枕", "Soft pillow", "sleep"),
    ("pillow-firm", "硬枕", "Firm pillow", "sleep"),
    ("pillow-buckwheat", "荞麦枕", "Buckwheat pillow", "sleep"),
    ("vegetarian", "素食", "Vegetarian", "food"),
    ("no-spicy", "不吃辣", "No spicy food", "food"),
    ("halal", "清真", "Halal", "food"),
    ("airport-transfer", "接机", "Airport transfer", "service"),
    ("late-checkout", "延迟退房", "Late check-out", "service"),
    ("extra-towels", "加毛巾", "Extra towels", "service"),
]

FAMILY = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华建国文辉鹏宇浩然欣怡子涵梓轩思远晨阳雨婷佳琪"
REGIONS = ["110101", "310104", "440305", "330106", "510107", "320102", "420106", "610113", "370102", "500103"]
FOREIGN = [
    ("Smith", "John", "GB"), ("Johnson", "Emily", "US"), ("Müller", "Lukas", "DE"), ("Dubois", "Camille", "FR"),
    ("Rossi", "Giulia", "IT"), ("Tanaka", "Yuki", "JP"), ("Kim", "Min-jun", "KR"), ("Nguyen", "Linh", "VN"),
    ("Garcia", "Sofia", "ES"), ("Silva", "Pedro", "BR"), ("Ivanova", "Anna", "RU"), ("Brown", "Oliver", "AU"),
    ("Wilson", "Charlotte", "CA"), ("Andersson", "Erik", "SE"), ("Novak", "Petra", "CZ"), ("Singh", "Arjun", "IN"),
]  # fmt: skip
MOBILE_PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "158", "186", "188", "177", "199"]
COUNT = 300


def _vocabulary() -> list[PreferenceTag]:
    tags = []
    for code, label, en, category in TAGS:
        tag, _ = PreferenceTag.objects.get_or_create(
            code=code, defaults={"label": label, "label_en": en, "category": category}
        )
        tags.append(tag)
    return tags


def _birth(rng: random.Random) -> date:
    return date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))


def load(out) -> None:
    tags = _vocabulary()
    out(f"  preference tags: {len(tags)}")
    properties = list(Property.objects.order_by("code"))
    if not properties:
        out("  no properties yet: load the pms demo first")
        return
    if Guest.objects.exists():
        out(f"  guests already there: {Guest.objects.count()}")
        return
    rng = random.Random(2026)  # the same demo every time
    guests, documents, tag_links = [], [], []
    used_ids: set[str] = set()
    now = timezone.now()
    for i in range(COUNT):
        foreign = i % 6 == 5
        born = _birth(rng)
        if foreign:
            family, given, country = rng.choice(FOREIGN)
            phone = (
                f"+44 7700 9{rng.randrange(10**5):05d}"
                if country == "GB"
                else f"+1 202 555 {rng.randrange(10**4):04d}"
            )
            email = f"{given.lower()}.{family.lower()}{i}@example.com"
        else:
            family = rng.choice(FAMILY)
            given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            country = "CN"
            phone = f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
            email = f"guest{i}@example.cn" if rng.random() < 0.7 else ""
        consent = rng.random() < 0.4
        guest = Guest(
            family_name=family,
            given_name=given,
            gender=rng.choice([Gender.FEMALE, Gender.MALE]),
            nationality=country,
            phone=phone.replace(" ", ""),
            email=email,
            date_of_birth=born.isoformat(),
            birth_month_day=born.strftime("%m-%d"),
            special_needs=rng.choice(["", "", "", "无障碍房间", "对花生过敏", "Needs a cot for a baby"]),
            is_vip=rng.random() < 0.05,
            marketing_consent=consent,
            marketing_consent_at=now - timedelta(days=rng.randrange(700)) if consent else None,
            marketing_consent_channel=rng.choice(ConsentChannel.values) if consent else "",
            home_property=properties[i % len(properties)],
        )
        guests.append(guest)
        if foreign:
            number = f"{country[0]}{rng.randrange(10**8):08d}"
            doc_type = DocumentType.PASSPORT
        else:
            while True:
                number = prc_id(rng.choice(REGIONS), born.strftime("%Y%m%d"), rng=rng)
                if number not in used_ids:
                    break
            doc_type = DocumentType.PRC_ID
        used_ids.add(number)
        documents.append(
            IdentityDocument(guest=guest, doc_type=doc_type, number=number, issuing_country=country)
        )
        for tag in rng.sample(tags, rng.randrange(4)):
            tag_links.append(Guest.tags.through(guest_id=guest.pk, preferencetag_id=tag.pk))
    with transaction.atomic():
        Guest.objects.bulk_create(guests, batch_size=500)
        IdentityDocument.objects.bulk_create(documents, batch_size=500)
        Guest.tags.through.objects.bulk_create(tag_links, batch_size=1000)
    out(f"  guests: {len(guests)} (documents {len(documents)}, tag links {len(tag_links)})")
