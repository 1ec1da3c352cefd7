"""Routes of the members app for the route-coverage test (tests/test_audit_coverage.py).

Screens and API answers that name a member (list, detail, enrol, segments, churn, feedback) are
PERSONAL and record their event through members.selectors; posting endpoints redirect to the member
page (which records), configuration and aggregate reports are NOT_PERSONAL.
"""


def _member(hotels):
    from .testing import make_member

    return make_member(hotels["a"])


def _spec(user, url, action, target_type, target_id, method="get", data=None, status=200):
    return {
        "user": user,
        "method": method,
        "url": url,
        "data": data,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "status": status,
    }


def _list(people, hotels):
    m = _member(hotels)
    return _spec(people["alice"], "/members/p/hotel-a/", "search", "membership", m.pk)


def _detail(people, hotels):
    m = _member(hotels)
    return _spec(people["alice"], f"/members/p/hotel-a/{m.pk}/", "view", "membership", m.pk)


def _enrol(people, hotels):
    from reservations.testing import new_guest

    g = new_guest(hotels["a"])
    return _spec(people["alice"], f"/members/p/hotel-a/enrol/{g.pk}/", "view", "guest", g.pk)


def _segments(people, hotels):
    m = _member(hotels)
    return _spec(
        people["grace"],
        "/members/segments/",
        "search",
        "membership",
        m.pk,
        method="post",
        data={"preview": "1"},
    )


def _segment(people, hotels):
    from .models import Segment

    m = _member(hotels)
    seg = Segment.objects.create(name="all", criteria={})
    return _spec(people["grace"], f"/members/segments/{seg.pk}/", "search", "membership", m.pk)


def _export(people, hotels):
    from .models import Segment

    _member(hotels)
    seg = Segment.objects.create(name="all", criteria={})
    return _spec(
        people["frank"], f"/members/segments/{seg.pk}/export/", "export", "segment", seg.pk, method="post"
    )


def _churn(people, hotels):
    return _spec(
        people["grace"],
        "/members/churn/",
        "search",
        "membership",
        None,
        data={"period_from": "2023-01-01", "period_to": "2023-12-31", "min_stays": 1, "months": 6},
    )


def _feedback_item(hotels):
    from .services import feedback_create

    return feedback_create(actor=None, property=hotels["a"], text="dirty room", source="desk")


def _feedback(people, hotels):
    f = _feedback_item(hotels)
    return _spec(people["alice"], "/members/p/hotel-a/feedback/", "view", "feedback", f.pk)


def _feedback_detail(people, hotels):
    f = _feedback_item(hotels)
    return _spec(people["alice"], f"/members/p/hotel-a/feedback/{f.pk}/", "view", "feedback", f.pk)


def _api_list(people, hotels):
    m = _member(hotels)
    return _spec(
        people["alice"], "/api/v1/members/", "search", "membership", m.pk, data={"property": "hotel-a"}
    )


def _api_search(people, hotels):
    m = _member(hotels)
    return _spec(
        people["alice"],
        "/api/v1/members/search/",
        "search",
        "membership",
        m.pk,
        method="post",
        data={"property": "hotel-a", "card_number": m.card_number},
    )


def _api_detail(people, hotels):
    m = _member(hotels)
    return _spec(people["alice"], f"/api/v1/members/{m.pk}/?property=hotel-a", "view", "membership", m.pk)


def _statement(people, hotels):
    m = _member(hotels)
    return _spec(people["alice"], f"/members/p/hotel-a/{m.pk}/statement.csv", "export", "membership", m.pk)


def _api_points(people, hotels):
    m = _member(hotels)
    data = {"property": "hotel-a", "action": "adjust", "points": 100, "reason": "goodwill after a noisy room"}
    return _spec(
        people["bob"], f"/api/v1/members/{m.pk}/points/", "view", "membership", m.pk, "post", data, 201
    )


def _api_stored_value(people, hotels):
    m = _member(hotels)
    data = {"property": "hotel-a", "action": "top_up", "amount": "200.00", "payment_reference": "POS-1"}
    return _spec(
        people["alice"],
        f"/api/v1/members/{m.pk}/stored-value/",
        "view",
        "membership",
        m.pk,
        "post",
        data,
        201,
    )


def _api_voucher(people, hotels):
    """The bookings API's voucher route: members redeems the code, the answer is the booking."""
    from reservations.services import folio_charge_post

    from .services import voucher_issue
    from .testing import checked_in_booking, make_offer

    m = _member(hotels)
    v = voucher_issue(actor=None, membership=m, offer=make_offer(value="20.00"))
    b = checked_in_booking(hotels["a"], m.guest)
    folio_charge_post(actor=None, booking=b, kind="restaurant", amount="100.00")
    url = f"/api/v1/bookings/{b.pk}/vouchers/"
    return _spec(people["alice"], url, "view", "booking", b.pk, "post", {"code": v.code}, 201)


def _api_segment(people, hotels):
    m = _member(hotels)
    return _spec(
        people["grace"], "/api/v1/segments/preview/", "search", "membership", m.pk, method="post", data={}
    )


def _api_feedback(people, hotels):
    f = _feedback_item(hotels)
    return _spec(people["alice"], "/api/v1/feedback/", "view", "feedback", f.pk, data={"property": "hotel-a"})


PERSONAL = {
    "members:list": _list,
    "members:detail": _detail,
    "members:enrol": _enrol,
    "members:segments": _segments,
    "members:segment": _segment,
    "members:segment-export": _export,
    "members:churn": _churn,
    "members:feedback": _feedback,
    "members:feedback-detail": _feedback_detail,
    "api-members": _api_list,
    "api-member-search": _api_search,
    "api-member": _api_detail,
    "api-member-points": _api_points,
    "members:statement-csv": _statement,
    "api-booking-voucher": _api_voucher,
    "api-member-stored-value": _api_stored_value,
    "api-segment-preview": _api_segment,
    "api-feedback": _api_feedback,
}

NOT_PERSONAL = {
    "members:stored-value": "POST only: writes the ledger and redirects to the member page, which records the view",
    "members:adjust": "POST only: writes a ledger entry or a pending adjustment and redirects to the member page",
    "members:redeem": "POST only: writes the points ledger and redirects to the member page",
    "members:consent": "POST only: changes consent and redirects to the member page",
    "members:status": "POST only (managers): changes the status and redirects to the member page",
    "members:voucher-issue": "POST only: issues a voucher and redirects to the member page",
    "members:approvals": "amounts, reasons, masked card numbers and staff user names; no guest data",
    "members:tiers": "tier and offer configuration",
    "members:offers": "offer configuration and voucher counts; no member data",
    "api-offer": "one offer's configuration; no member data",
    "members:reconciliation": "stored-value totals per hotel and day; no member named",
    "members:campaigns": "campaign names and counts; members are chosen inside the send task",
    "members:campaign": "a campaign's progress counts",
    "members:unsubscribe": "public: withdraws consent for a signed token and shows no member data",
    "api-offers": "offer configuration",
    "api-feedback-create": "creates feedback; answers only what the caller sent plus its routing",
}
