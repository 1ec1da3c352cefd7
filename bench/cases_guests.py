"""Guest profiles at scale (issue 5): one million guests with encrypted phones and ID numbers.

- lookup by ID number through `guest_search` (blind index, permission check, access event in the
  same transaction, masking): p95 < 10 ms; its bare SQL (HMAC + SELECT + AES-GCM decrypt) is the
  baseline, and the report prints the ratio of the two measured in the same run;
- name search through the selector: a two-character Chinese name (bigram GIN index) and a Latin
  name (pg_trgm): p95 < 50 ms.

Setup fills guests and documents with COPY. Every row is encrypted for real (phone and document
number under its own UUID as associated data; e-mail for a third of the guests), in a pool of
worker processes so the load stays within a couple of minutes on two cores.
"""

from __future__ import annotations

import itertools
import os
import uuid
from datetime import date, timedelta

from .runner import BenchContext, Case

REGIONS = ["110101", "310104", "440305", "330106", "510107", "320102", "420106", "610113", "370102", "500103"]
FAMILY = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华建国文辉鹏宇浩然欣怡子涵梓轩思远晨阳雨婷佳琪"
LATIN_FAMILY = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Tanaka",
    "Suzuki",
    "Takahashi",
    "Watanabe",
    "Ito",
    "Yamamoto",
    "Nakamura",
    "Kobayashi",
    "Kato",
    "Kim",
    "Park",
    "Choi",
    "Jung",
    "Kang",
]
LATIN_GIVEN = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Margaret",
    "Paul",
    "Sandra",
    "Steven",
    "Ashley",
    "Andrew",
    "Emily",
    "Kenneth",
    "Donna",
    "Joshua",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Lukas",
    "Hannah",
    "Leon",
    "Sophie",
    "Camille",
    "Louis",
    "Giulia",
    "Marco",
    "Yuki",
    "Haruto",
    "Minjun",
    "Seoyeon",
    "Oliver",
    "Charlotte",
    "Erik",
    "Anna",
]
BASE_BIRTH = date(1950, 1, 1)
DAYS = 20_000  # birth dates spread over ~55 years; with 1000 sequence numbers a day, IDs stay unique


def _guest_fields(i: int) -> tuple:
    """Deterministic data of guest number i (so cases can find what setup wrote)."""
    born = BASE_BIRTH + timedelta(days=i % DAYS)
    seq = (i // DAYS) % 1000
    region = REGIONS[(i // (DAYS * 1000)) % len(REGIONS)]
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    foreign = i % 6 == 5
    j = i // 6  # names independent of the property (which alternates with i)
    if foreign:
        family = LATIN_FAMILY[(j * 7) % len(LATIN_FAMILY)]
        given = LATIN_GIVEN[(j * 13) % len(LATIN_GIVEN)]
    else:
        family = FAMILY[(j * 7 + i) % len(FAMILY)]
        given = GIVEN[(j * 11) % len(GIVEN)] + (GIVEN[(j * 17 + i) % len(GIVEN)] if j % 5 < 3 else "")
    phone = f"+861{3 + i % 7}{i:09d}"[:14]
    return born, first17, family, given, phone, foreign


def id_number(i: int) -> str:
    from guests.validators import prc_check_digit

    first17 = _guest_fields(i)[1]
    return first17 + prc_check_digit(first17)


def _rows(bounds: tuple[int, int, list[int]]) -> tuple[list[tuple], list[tuple]]:
    """Worker: encrypted guest rows and document rows for guests start..stop."""
    import base64
    import hashlib
    import hmac

    import django

    django.setup()
    from pms import crypto

    # The same format and associated data as pms.crypto.encrypt / blind_index, without their
    # per-call normalising and key look-ups (the values here are normalised already).
    ring = crypto.key_ring()
    aead, kid, bkey = crypto._aead(ring.keys[ring.primary]), ring.primary, crypto._blind_key()

    def enc(value, table, field, row_id):
        nonce = os.urandom(crypto.NONCE_BYTES)
        ct = aead.encrypt(nonce, value.encode(), f"{table}|{field}|{row_id}".encode())
        return f"{crypto.VERSION}:{kid}:{base64.b64encode(nonce + ct).decode()}"

    def bidx(kind, value):
        return hmac.new(bkey, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest() if value else ""

    start, stop, property_ids = bounds
    now = "2026-01-01 00:00:00+00"
    guests, docs = [], []
    for i in range(start, stop):
        born, _first17, family, given, phone, foreign = _guest_fields(i)
        gid = uuid.uuid4()
        number = id_number(i)
        email = f"guest{i}@example.com" if i % 3 == 0 else ""
        guests.append(
            (
                gid, family, given, "unspecified", "GB" if foreign else "CN",
                enc(phone, "guests_guest", "phone", gid),
                bidx("phone", phone),
                enc(email, "guests_guest", "email", gid) if email else "",
                bidx("email", email),
                "", born.strftime("%m-%d"), "", "", "", False, False, "",
                property_ids[i % len(property_ids)], now, now,
            )
        )  # fmt: skip
        did = uuid.uuid4()
        docs.append(
            (
                did, gid, "prc_id",
                enc(number, "guests_identitydocument", "number", did),
                bidx("id_number", number), "CN", True, now,
            )
        )  # fmt: skip
    return guests, docs


GUEST_COLUMNS = [
    "id", "family_name", "given_name", "gender", "nationality", "phone", "phone_bidx", "email", "email_bidx",
    "date_of_birth", "birth_month_day", "address", "special_needs", "staff_notes", "is_vip", "marketing_consent",
    "marketing_consent_channel", "home_property_id", "created_at", "updated_at",
]  # fmt: skip
DOC_COLUMNS = [
    "id",
    "guest_id",
    "doc_type",
    "number",
    "number_bidx",
    "issuing_country",
    "is_primary",
    "created_at",
]


def setup(ctx: BenchContext) -> None:
    from django.db import connection

    from pms import demo
    from pms.models import Property

    demo.load(lambda line: None)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM guests_identitydocument WHERE doc_type = 'prc_id'")
        have = cur.fetchone()[0]
    if have >= ctx.scale:
        return
    property_ids = list(Property.objects.order_by("code").values_list("pk", flat=True))
    # Continue where a previous (smaller or interrupted) fill stopped: guest numbers are positional.
    start = have
    chunk = 20_000
    bounds = [(s, min(s + chunk, ctx.scale), property_ids) for s in range(start, ctx.scale, chunk)]
    workers = max(1, min(len(bounds), (os.cpu_count() or 2)))
    connection.close()
    if workers > 1 and len(bounds) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for guests, docs in pool.imap(_rows, bounds):
                _copy(ctx, guests, docs)
    else:
        for b in bounds:
            _copy(ctx, *_rows(b))
    ctx.analyze("guests_guest", "guests_identitydocument")


def _copy(ctx: BenchContext, guests, docs) -> None:
    from django.db import transaction

    with transaction.atomic():
        ctx.copy("guests_guest", GUEST_COLUMNS, guests)
        ctx.copy("guests_identitydocument", DOC_COLUMNS, docs)


def cases(ctx: BenchContext) -> list[Case]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from guests.selectors import guest_search
    from pms import crypto
    from pms.models import Property

    alice = get_user_model().objects.get(username="alice")
    prop = Property.objects.get(code="sh-bund")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM guests_identitydocument WHERE doc_type = 'prc_id'")
        n = cur.fetchone()[0]
    step = max(1, n // 997)
    numbers = itertools.cycle([id_number(i) for i in range(0, n, step)][:997])

    def fresh_request():
        for attr in ("_pms_memberships", "_pms_grants"):
            alice.__dict__.pop(attr, None)

    def bare_sql_lookup():
        number = next(numbers)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT g.id, g.family_name, g.given_name, g.phone, d.id, d.number "
                "FROM guests_identitydocument d JOIN guests_guest g ON g.id = d.guest_id "
                "WHERE d.number_bidx = %s",
                [crypto.blind_index("id_number", number)],
            )
            for gid, _f, _g, phone, did, stored in cur.fetchall():
                crypto.mask_phone(crypto.decrypt(phone, table="guests_guest", field="phone", row_id=gid))
                crypto.mask_id_number(
                    crypto.decrypt(stored, table="guests_identitydocument", field="number", row_id=did)
                )

    def selector_lookup():
        fresh_request()
        result = guest_search(actor=alice, property=prop, criteria={"id_number": next(numbers)})
        assert len(result.rows) == 1

    chinese = itertools.cycle(["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊"])
    latin = itertools.cycle(["smith", "garcia", "tanaka", "John Smith", "mueller", "jonson"])

    def name_chinese():
        fresh_request()
        guest_search(actor=alice, property=prop, criteria={"name": next(chinese)})

    def name_latin():
        fresh_request()
        guest_search(actor=alice, property=prop, criteria={"name": next(latin)})

    bare = "guests: ID lookup, bare SQL (HMAC+SELECT+decrypt)"
    return [
        Case(bare, bare_sql_lookup),
        Case(
            "guests: ID lookup via selector (+perm, event, mask)",
            selector_lookup,
            baseline=bare,
            target_p95_ms=10,
        ),
        Case("guests: name search, 2 Chinese characters", name_chinese, repeat=200, target_p95_ms=50),
        Case("guests: name search, Latin name / typo", name_latin, repeat=200, target_p95_ms=50),
    ]
