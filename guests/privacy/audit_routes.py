"""Routes of privacy requests for the route-coverage test (tests/test_audit_coverage.py), merged into
guests/audit_routes.py. Every read records its event with the request id as the reason."""

from .testing import approved, ready_export, registered, stayed_guest


def _spec(user, method, url, data, action, target_type, target_id, status=None):
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


def _req(people, hotels):
    return registered(hotels["a"], actor=people["bob"])


def _register(people, hotels):
    r = _req(people, hotels)
    return _spec(people["dave"], "get", "/guests/privacy/", None, "search", "privacy_request", r.pk, 200)


def _detail(people, hotels):
    r = _req(people, hotels)
    return _spec(
        people["dave"], "get", f"/guests/privacy/{r.pk}/", None, "view", "privacy_request", r.pk, 200
    )


def _verify(people, hotels):
    r = _req(people, hotels)
    data = {"method": "document", "document_number": "110101198503074210", "booking_reference": "ABCDEFGHJK"}
    return _spec(
        people["bob"], "post", f"/guests/privacy/{r.pk}/verify/", data, "search", "privacy_request", r.pk, 302
    )


def _retention(people, hotels):
    return _spec(people["bob"], "get", "/guests/privacy/retention/", None, "search", "guest", None, 200)


def _ready(people, hotels):
    guest, booking = stayed_guest(hotels["a"])
    req = approved(hotels["a"], actor=people["bob"], decider=people["dave"], guest=guest, booking=booking)
    return req, ready_export(req, actor=people["dave"])


def _download(people, hotels):
    req, export = _ready(people, hotels)
    url = f"/guests/privacy/{req.pk}/exports/{export.pk}/download/"
    return _spec(people["dave"], "post", url, None, "export", "privacy_export", export.pk, 200)


def _api(path):
    def spec(people, hotels):
        r = _req(people, hotels)
        return _spec(
            people["dave"],
            "get",
            f"/api/v1/privacy-requests/{r.pk}/{path}",
            None,
            "view",
            "privacy_request",
            r.pk,
            200,
        )

    return spec


def _api_list(people, hotels):
    r = _req(people, hotels)
    return _spec(
        people["dave"], "get", "/api/v1/privacy-requests/", None, "search", "privacy_request", r.pk, 200
    )


def _api_create(people, hotels):
    data = {
        "property": "hotel-a",
        "type": "access",
        "channel": "phone",
        "claimed_name": "Li",
        "contact": "li@example.com",
    }
    return _spec(
        people["bob"], "post", "/api/v1/privacy-requests/", data, "view", "privacy_request", None, 201
    )


def _api_write(path, data, status=200, prepare=None):
    def spec(people, hotels):
        r = _req(people, hotels)
        if prepare:
            r = prepare(people, hotels, r)
        return _spec(
            people["dave"],
            "post",
            f"/api/v1/privacy-requests/{r.pk}/{path}",
            data,
            "view",
            "privacy_request",
            r.pk,
            status,
        )

    return spec


def _api_verify(people, hotels):
    r = _req(people, hotels)
    data = {"method": "document", "document_number": "110101198503074210", "booking_reference": "ABCDEFGHJK"}
    return _spec(
        people["bob"],
        "post",
        f"/api/v1/privacy-requests/{r.pk}/verify/",
        data,
        "search",
        "privacy_request",
        r.pk,
        422,
    )


def _refused(people, hotels, r):
    from . import services

    return services.privacy_request_decide(
        actor=people["bob"], request=r, approve=False, refusal_reason="not_verified", text="no proof"
    )


def _api_fulfil(people, hotels):
    guest, booking = stayed_guest(hotels["a"])
    req = approved(
        hotels["a"],
        actor=people["bob"],
        decider=people["dave"],
        guest=guest,
        booking=booking,
        type="objection",
    )
    return _spec(
        people["dave"],
        "post",
        f"/api/v1/privacy-requests/{req.pk}/fulfil/",
        {},
        "view",
        "privacy_request",
        req.pk,
        200,
    )


def _api_authorisation(people, hotels):
    from .testing import registered as reg

    other, _b = stayed_guest(hotels["a"])
    r = reg(hotels["a"], actor=people["bob"], type="enquiry")
    data = {
        "document_number": other.documents.first().number,
        "note": "signed letter, filed in the compliance binder",
    }
    return _spec(
        people["dave"],
        "post",
        f"/api/v1/privacy-requests/{r.pk}/authorisation/",
        data,
        "view",
        "privacy_request",
        r.pk,
        200,
    )


def _api_download(people, hotels):
    req, export = _ready(people, hotels)
    url = f"/api/v1/privacy-requests/{req.pk}/exports/{export.pk}/download/"
    return _spec(people["dave"], "post", url, None, "export", "privacy_export", export.pk, 200)


def _api_retention(people, hotels):
    return _spec(
        people["dave"], "get", "/api/v1/privacy-requests/retention/", None, "search", "guest", None, 200
    )


PERSONAL = {
    "guests:privacy:register": _register,
    "guests:privacy:detail": _detail,
    "guests:privacy:verify": _verify,
    "guests:privacy:retention": _retention,
    "guests:privacy:export-download": _download,
    "api-privacy-requests": _api_list,
    "api-privacy-request": _api(""),
    "api-privacy-verify": _api_verify,
    "api-privacy-decide": _api_write(
        "decide/", {"approve": False, "refusal_reason": "not_verified", "text": "no proof"}
    ),
    "api-privacy-appeal": _api_write("appeal/", {"text": "I did prove it"}, prepare=_refused),
    "api-privacy-authorisation": _api_authorisation,
    "api-privacy-fulfil": _api_fulfil,
    "api-privacy-export-download": _api_download,
    "api-privacy-retention": _api_retention,
}

NOT_PERSONAL = {
    "guests:privacy:new": "the form to register a request; the POST redirects to the request page",
    "guests:privacy:summary": "monthly counts by type, channel and outcome: aggregates, no guest data",
    "guests:privacy:authorisation": "a write; redirects to the request page, which records its view",
    "guests:privacy:decide": "a write; redirects to the request page, which records its view",
    "guests:privacy:appeal": "a write; redirects to the request page, which records its view",
    "guests:privacy:fulfil": "a write; redirects to the request page, which records its view",
    "guests:privacy:export-progress": "an export's state and percentage; no guest data",
    "api-privacy-summary": "monthly counts by type, channel and outcome: aggregates, no guest data",
    "api-privacy-export": "an export's state and percentage; no guest data",
}


def merge(personal: dict, not_personal: dict) -> None:
    """Called from guests/audit_routes.py (one appended line): adds these declarations to the app's."""
    personal.update(PERSONAL)
    not_personal.update(NOT_PERSONAL)
