"""The JSON API of recommendations: real answers checked against its OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from email.utils import formatdate

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.starlette import StarletteOpenAPIRequest, StarletteOpenAPIResponse
from openapi_spec_validator import validate
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response

from council.database import utcnow
from council.models import Person
from tests.conftest import sign_in
from tests.workspaces.publishing import adopt, days_ago, make_public, other_group, public_world
from workspaces import api, recommendations


@pytest.fixture
def world(db):
    return public_world(db, number=5)


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return OpenAPI.from_dict(api.DOCUMENT)


def checked(spec: OpenAPI, response, status: int):
    """The answer, once openapi-core found it to be one the document describes."""
    sent = response.request
    request = StarletteOpenAPIRequest(
        Request(
            {
                "type": "http",
                "method": sent.method,
                "scheme": sent.url.scheme,
                "server": (sent.url.host, sent.url.port or 80),
                "root_path": "",
                "path": sent.url.path,
                "query_string": sent.url.query,
                "headers": [
                    (name.lower().encode(), value.encode()) for name, value in sent.headers.items()
                ],
            }
        )
    )
    answer = Response(
        response.content, status_code=response.status_code, headers=dict(response.headers)
    )
    spec.validate_response(request, StarletteOpenAPIResponse(answer))
    assert response.status_code == status, response.text
    if status != 304:
        assert response.headers["content-type"] == "application/json"
        return response.json()
    return None


def test_the_openapi_document_is_valid_and_served(client, world):
    validate(api.DOCUMENT)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == api.DOCUMENT
    schemas = api.DOCUMENT["components"]["schemas"]
    assert schemas["Recommendation"]["additionalProperties"] is False
    assert "markdown" in schemas["Recommendation"]["required"]


def test_the_list_pages_newest_first_with_links(client, db, world, spec):
    made = [adopt(db, world, title=f"Text {n}", when=days_ago(30 - n)) for n in range(3)]
    db.commit()

    first = checked(spec, client.get("/api/v1/recommendations?per_page=2"), 200)

    assert [item["number"] for item in first["items"]] == [made[2].number, made[1].number]
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 3, 2)
    assert first["links"]["prev"] is None
    assert first["links"]["self"] == "http://testserver/api/v1/recommendations?page=1&per_page=2"
    second = checked(spec, client.get(first["links"]["next"]), 200)
    assert [item["number"] for item in second["items"]] == [made[0].number]
    assert second["links"]["next"] is None
    assert second["links"]["prev"] == first["links"]["self"]
    item = second["items"][0]
    urls = {
        "url": f"http://testserver/recommendations/{made[0].number}",
        "pdf_url": f"http://testserver/recommendations/{made[0].number}.pdf",
        "api_url": f"http://testserver/api/v1/recommendations/{made[0].number}",
    }
    assert item == {
        "number": made[0].number,
        "title": "Text 0",
        "language": "en",
        "original_language": "en",
        "languages": ["en"],
        "versions": [{"language": "en", "title": "Text 0", **urls}],
        "summary": made[0].summary,
        "working_group": {
            "number": world.group.number,
            "slug": "pathways",
            "name": "Alternative migration pathways",
        },
        "adopted_at": made[0].adopted_at.isoformat(),
        "updated_at": made[0].updated_at.isoformat(),
        "superseded_by": None,
        "url": f"http://testserver/recommendations/{made[0].number}",
        "pdf_url": f"http://testserver/recommendations/{made[0].number}.pdf",
        "api_url": f"http://testserver/api/v1/recommendations/{made[0].number}",
    }


def test_the_list_filters_by_group_year_and_words(client, db, world, spec):
    labour = adopt(db, world, title="Labour pathways", when=days_ago(9))
    protection = adopt(
        db,
        other_group(db, world),
        title="Protection at borders",
        text="Asylum seekers are heard at every border crossing.",
        when=days_ago(8),
    )
    db.commit()

    def numbers(query: str) -> list[str]:
        found = checked(spec, client.get(f"/api/v1/recommendations?{query}"), 200)
        return [item["number"] for item in found["items"]]

    assert numbers("group=protection") == [protection.number]
    assert numbers("q=asylum") == [protection.number]
    assert numbers("q=recruitment+fees") == [labour.number]
    assert numbers(f"year={labour.year}&group=pathways") == [labour.number]
    assert numbers(f"year={labour.year - 1}") == []
    found = checked(spec, client.get("/api/v1/recommendations?q=asylum&group=protection"), 200)
    assert found["links"]["self"] == (
        "http://testserver/api/v1/recommendations?q=asylum&group=protection&page=1"
    )


def test_the_detail_has_the_text_footnotes_and_adoption_record(client, db, world, spec):
    earlier = adopt(
        db,
        world,
        title="Labour pathways",
        when=days_ago(8),
        reservation="Subject to our budget.",
        statement="Adopted by consensus.",
        observer_statement="We will help.",
    )
    later = adopt(db, world, title="Labour pathways, revised", when=days_ago(4))
    recommendations.supersede(db, earlier, by_number=later.number, reason="", by=world.secretariat)
    db.commit()

    body = checked(spec, client.get(f"/api/v1/recommendations/{earlier.number}"), 200)

    record = recommendations.record(earlier)
    assert body["number"] == earlier.number and body["title"] == "Labour pathways"
    assert body["superseded_by"] == later.number and body["supersedes"] is None
    assert body["markdown"] == "\n\n".join(p["markdown"] for p in record["paragraphs"])
    assert body["markdown"].startswith("# Recommendation\n\nThe member states should")
    assert "<p>Workers must never pay recruitment fees.</p>" in body["html"]
    assert body["paragraphs"] == record["paragraphs"]
    assert body["paragraphs"][1]["footnotes"] == [1]
    assert body["footnotes"] == [
        {
            "number": 1,
            "seat": "Mexico",
            "seat_kind": "member_state",
            "kind": "reservation",
            "text": "Subject to our budget.",
            "paragraphs": [body["paragraphs"][1]["id"]],
        }
    ]
    assert body["general_footnotes"] == []
    adoption = body["adoption"]
    assert adoption["rule"] == "consensus" and adoption["tally"]["supports"] == 2
    assert adoption["chair_statement"]["text"] == "Adopted by consensus."
    assert adoption["chair_statement"]["chair_seat"] == "Migrant Communities Network"
    assert [p["seat"] for p in adoption["positions"]] == [
        "Canada",
        "Mexico",
        "Migrant Communities Network",
    ]
    assert body["observer_statements"][0]["seat"] == "International Organization"
    newer = checked(spec, client.get(f"/api/v1/recommendations/{later.number}"), 200)
    assert newer["supersedes"] == earlier.number and newer["superseded_by"] is None


def test_no_answer_names_a_person(client, db, world, spec):
    rec = adopt(
        db,
        world,
        reservation="Subject to our budget.",
        statement="Adopted.",
        observer_statement="We will help.",
    )
    db.commit()
    people = db.exec(select(Person)).all()
    assert "Rosa Pacheco" in {p.name for p in people}

    answers = [
        client.get("/api/v1/recommendations"),
        client.get(f"/api/v1/recommendations/{rec.number}"),
    ]

    for response in answers:
        checked(spec, response, 200)
        for person in people:
            assert person.name not in response.text
            assert person.email not in response.text
        for key in keys(response.json()):
            assert not key.endswith("_id") and "person" not in key and "author" not in key


def keys(value) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in keys(v)]
    return []


def test_an_unknown_or_malformed_number_is_a_json_404(client, world, spec):
    for number in ("WG9-2020-01", "nope", "wg5-2026-01"):
        body = checked(spec, client.get(f"/api/v1/recommendations/{number}"), 404)
        assert body["error"] == "not_found" and body["message"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("per_page=0", "per_page"),
        ("per_page=1000", "per_page"),
        ("per_page=-3", "per_page"),
        ("year=twenty", "year"),
        ("year=1899", "year"),
        ("year=10000", "year"),
        ("page=100001", "page"),
        ("lang=", "lang"),
        ("lang=de", "lang"),
        ("q=" + "a" * 201, "q"),
    ],
)
def test_impossible_query_values_are_a_json_400(client, world, spec, query, parameter):
    body = checked(spec, client.get(f"/api/v1/recommendations?{query}"), 400)
    assert body["error"] == "bad_request" and body["parameter"] == parameter
    assert body["message"]


def test_a_number_out_of_range_is_told_its_range_however_long(client, world, spec):
    for url in (
        "/api/v1/recommendations?year=2147483648",
        "/api/v1/statements?year=-1",
        "/api/v1/recommendations?year=" + "9" * 40,
    ):
        body = checked(spec, client.get(url), 400)
        assert body["message"] == "year must be a whole number from 1900 to 9999."
    long = checked(spec, client.get("/api/v1/recommendations?q=" + "a" * 20_000), 400)
    assert long["message"] == "q may hold at most 200 characters."
    assert checked(spec, client.get("/api/v1/recommendations?q=" + "a" * 200), 200)


def test_a_group_that_does_not_exist_is_a_documented_404(client, world, spec):
    for url in ("/api/v1/recommendations?group=nowhere", "/api/v1/statements?group=nowhere"):
        body = checked(spec, client.get(url), 404)
        assert body == {
            "error": "not_found",
            "parameter": "group",
            "message": "There is no working group nowhere.",
        }


def test_other_methods_are_a_json_405_with_allow_never_the_csrf_page(client, db, world):
    rec = adopt(db, world)
    db.commit()
    for url in (
        "/api/v1/recommendations",
        f"/api/v1/recommendations/{rec.number}",
        "/api/v1/statements",
        "/api/v1/openapi.json",
    ):
        for method in ("TRACE", "POST", "PUT", "PATCH", "DELETE"):
            response = client.request(method, url, data={"q": "x"})
            assert response.status_code == 405, (method, url, response.text[:200])
            assert response.headers["allow"] == "GET, HEAD, OPTIONS"
            assert response.headers["content-type"] == "application/json"
            assert response.json()["error"] == "method_not_allowed"
    # elsewhere under /api/ too, errors answered before any handler are JSON
    assert client.get("/api/v1/nothing-here").json()["error"] == "not_found"
    assert client.get("/api/v1/recommendations?q=%01").json()["error"] == "bad_request"
    # a page that takes posts still checks their CSRF token
    assert client.post("/sign-in", data={"email": "a@b.c"}).status_code == 403


def test_other_sites_may_read_the_public_api_but_not_members_pages(client, db, world, spec):
    rec = adopt(db, world)
    db.commit()
    origin = {"Origin": "https://news.example"}
    for url in (
        "/api/v1/recommendations",
        f"/api/v1/recommendations/{rec.number}",
        "/api/v1/openapi.json",
        "/api/v1/recommendations?page=0",
    ):
        response = client.get(url, headers=origin)
        assert response.headers["access-control-allow-origin"] == "*", url
        assert "access-control-allow-credentials" not in response.headers
        assert "ETag" in response.headers["access-control-expose-headers"]
    preflight = client.options(
        "/api/v1/recommendations",
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "If-None-Match" in preflight.headers["access-control-allow-headers"]
    assert preflight.headers["allow"] == "GET, HEAD, OPTIONS"
    for url in ("/recommendations", f"/recommendations/{rec.number}", "/"):
        assert "access-control-allow-origin" not in client.get(url, headers=origin).headers
    sign_in(client, world.member)  # a signed-in reader's answer is never shared
    member = client.get(f"/api/v1/recommendations/{rec.number}", headers=origin)
    assert member.status_code == 200
    assert "access-control-allow-origin" not in member.headers


def test_without_public_recommendations_anonymous_readers_get_401(client, db, world, spec):
    rec = adopt(db, world)
    make_public(db, False)

    for url in ("/api/v1/recommendations", f"/api/v1/recommendations/{rec.number}"):
        body = checked(spec, client.get(url, follow_redirects=False), 401)
        assert body["error"] == "sign_in_required" and body["message"]
    assert client.get("/api/v1/openapi.json").status_code == 200

    sign_in(client, world.observer)
    response = client.get(f"/api/v1/recommendations/{rec.number}")
    assert checked(spec, response, 200)["number"] == rec.number
    assert response.headers["cache-control"] == "private, no-store"


def test_a_current_copy_gets_304_by_etag_or_date(client, db, world, spec):
    rec = adopt(db, world)
    db.commit()

    for url in ("/api/v1/recommendations", f"/api/v1/recommendations/{rec.number}"):
        first = client.get(url)
        checked(spec, first, 200)
        assert first.headers["last-modified"] == formatdate(rec.updated_at.timestamp(), usegmt=True)
        assert first.headers["cache-control"] == "public, max-age=60"
        by_tag = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        checked(spec, by_tag, 304)
        by_date = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
        checked(spec, by_date, 304)
        stale = client.get(url, headers={"If-None-Match": '"an-older-copy"'})
        checked(spec, stale, 200)


def test_a_change_to_the_recommendation_changes_the_validators(client, db, world, spec):
    earlier = adopt(db, world, when=days_ago(20))
    url = f"/api/v1/recommendations/{earlier.number}"
    first = client.get(url)
    later = adopt(db, world, when=days_ago(10))
    recommendations.supersede(
        db,
        earlier,
        by_number=later.number,
        reason="",
        by=world.secretariat,
        now=utcnow() + timedelta(seconds=5),
    )
    db.commit()

    again = client.get(
        url,
        headers={
            "If-None-Match": first.headers["etag"],
            "If-Modified-Since": first.headers["last-modified"],
        },
    )

    assert checked(spec, again, 200)["superseded_by"] == later.number
    assert again.headers["etag"] != first.headers["etag"]
