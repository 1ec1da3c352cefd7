"""Routes of the guests app for the route-coverage test (tests/test_audit_coverage.py)."""

from .testing import make_guest, prc_id

_ID = prc_id("110101", "19850307", "421")


def _guest(hotels):
    return make_guest(hotels["a"], id_number=_ID, phone="+8613800138000", email="wang.wei@example.com")


def _url(hotels, guest, suffix=""):
    return f"/guests/p/{hotels['a'].code}/{guest.pk}/{suffix}"


def _personal(user, method, url, data, action, target_type, target_id, status=None):
    spec = {
        "user": user,
        "method": method,
        "url": url,
        "data": data,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
    }
    if status is not None:
        spec["status"] = status
    return spec


def _search(people, hotels):
    g = _guest(hotels)
    return _personal(
        people["alice"], "post", "/guests/p/hotel-a/", {"id_number": _ID}, "search", "guest", g.pk, 200
    )


def _detail(people, hotels):
    g = _guest(hotels)
    return _personal(people["alice"], "get", _url(hotels, g), None, "view", "guest", g.pk, 200)


def _edit(people, hotels):
    g = _guest(hotels)
    return _personal(people["alice"], "get", _url(hotels, g, "edit/"), None, "view", "guest", g.pk, 200)


def _merge(people, hotels):
    g = _guest(hotels)
    return _personal(people["bob"], "get", _url(hotels, g, "merge/"), None, "view", "guest", g.pk, 200)


def _reveal(people, hotels):
    g = _guest(hotels)
    data = {"field": "phone", "reason": "guest asked to confirm the number"}
    return _personal(people["bob"], "post", _url(hotels, g, "reveal/"), data, "reveal", "guest", g.pk, 200)


def _break_glass(people, hotels):
    g = _guest(hotels)
    data = {"reason": "guest collapsed in the lobby, need emergency contact"}
    return _personal(
        people["heidi"], "post", _url(hotels, g, "break-glass/"), data, "break_glass", "guest", g.pk
    )


def _api_search(people, hotels):
    g = _guest(hotels)
    data = {"property": "hotel-a", "id_number": _ID}
    return _personal(people["alice"], "post", "/api/v1/guests/search/", data, "search", "guest", g.pk, 200)


def _api_create(people, hotels):
    data = {
        "property": "hotel-a",
        "family_name": "李",
        "given_name": "娜",
        "documents": [{"doc_type": "prc_id", "number": prc_id("310101", "19900101", "002")}],
    }
    return _personal(people["alice"], "post", "/api/v1/guests/", data, "view", "guest", None, 201)


def _api_detail(people, hotels):
    g = _guest(hotels)
    url = f"/api/v1/guests/{g.pk}/?property=hotel-a"
    return _personal(people["alice"], "get", url, None, "view", "guest", g.pk, 200)


def _api_reveal(people, hotels):
    g = _guest(hotels)
    data = {"property": "hotel-a", "field": "document", "reason": "check-in: document unreadable"}
    return _personal(
        people["bob"], "post", f"/api/v1/guests/{g.pk}/reveal/", data, "reveal", "guest", g.pk, 200
    )


def _api_break_glass(people, hotels):
    g = _guest(hotels)
    data = {"property": "hotel-a", "reason": "police request on site, officer present"}
    return _personal(
        people["alice"],
        "post",
        f"/api/v1/guests/{g.pk}/break-glass/",
        data,
        "break_glass",
        "guest",
        g.pk,
        201,
    )


def _api_approve(people, hotels):
    from .services import grant_request

    g = _guest(hotels)
    grant = grant_request(actor=people["alice"], property=hotels["a"], guest=g, reason="lost property claim")
    url = f"/api/v1/access-grants/{grant.pk}/approve/"
    return _personal(people["bob"], "post", url, {"note": "ok"}, "grant", "access_grant", grant.pk, 200)


PERSONAL = {
    "guests:search": _search,
    "guests:detail": _detail,
    "guests:edit": _edit,
    "guests:merge": _merge,
    "guests:reveal": _reveal,
    "guests:break-glass": _break_glass,
    "api-guest-search": _api_search,
    "api-guest-create": _api_create,
    "api-guest-detail": _api_detail,
    "api-guest-reveal": _api_reveal,
    "api-guest-break-glass": _api_break_glass,
    "api-access-grant-approve": _api_approve,
}

NOT_PERSONAL = {
    "guests:create": "an empty form; the new profile's first view is recorded by guests:detail",
    "guests:tags": "adds or removes a tag and redirects; the change is in the change log",
    "guests:request-access": "a reason form; the request becomes an AccessGrant (change log), no guest data shown",
    "guests:grant-queue": "requester names and reasons; guests appear only as pseudonymous ids",
    "guests:grant-decide": "a decision; approval writes a grant event (covered by api-access-grant-approve)",
    "guests:break-glass-queue": "break-the-glass reasons and staff names; guests only as pseudonymous ids",
    "guests:break-glass-review": "a verdict on a grant; no guest data",
    "guests:my-grants": "the caller's own requests; guests only as pseudonymous ids",
    "guests:grant-revoke": "ends a grant (change log); redirects, shows no guest data",
    "api-access-grant-revoke": "ends a grant (change log); returns no guest data",
    "api-guest-grant-request": "creates an AccessGrant (change log); returns no guest data",
    "api-access-grants": "open requests: staff names, reasons, pseudonymous guest ids",
    "api-access-grant-refuse": "a refusal; no guest data",
    "api-access-grant-review": "a verdict on a grant; no guest data",
}

# Privacy requests (guests/privacy/) declare their own routes.
from .privacy.audit_routes import NOT_PERSONAL as _PRIVACY_NOT_PERSONAL  # noqa: E402
from .privacy.audit_routes import PERSONAL as _PRIVACY_PERSONAL  # noqa: E402

PERSONAL.update(_PRIVACY_PERSONAL)
NOT_PERSONAL.update(_PRIVACY_NOT_PERSONAL)
