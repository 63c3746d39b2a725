"""Compressed answers (gzip, brotli) for text over a kilobyte, and a CSRF token that compression
cannot leak: masked with a fresh pad in every response (BREACH)."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from council.compression import chosen_encoding
from council.csrf import csrf_token_for, mask_csrf_token, unmask_csrf_token
from tests.conftest import TEST_SECRET, sign_in
from tests.factories import make_council, make_person

TOKEN = re.compile(rb'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def person(db):
    make_council(db, public_recommendations=True)
    person = make_person(db)
    db.commit()
    return person


def raw(client, url: str, encoding: str, **headers):
    """The answer as sent: its body not decoded."""
    with client.stream("GET", url, headers={"Accept-Encoding": encoding, **headers}) as answer:
        return answer, b"".join(answer.iter_raw())


def test_a_large_page_is_compressed_with_gzip_or_brotli_as_asked(client, person):
    sign_in(client, person)
    plain, body = raw(client, "/account", "identity")
    assert "content-encoding" not in plain.headers and len(body) > 1024
    zipped, zipped_body = raw(client, "/account", "gzip")
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"] and "Cookie" in zipped.headers["vary"]
    assert int(zipped.headers["content-length"]) == len(zipped_body) < len(body) / 2
    page = gzip.decompress(zipped_body)
    assert page.startswith(b"<!doctype html>") and b"</html>" in page
    crushed, crushed_body = raw(client, "/account", "br;q=1, gzip;q=0.5")
    assert crushed.headers["content-encoding"] == "br"
    assert brotli.decompress(crushed_body).startswith(b"<!doctype html>")
    refused, _body = raw(client, "/account", "gzip;q=0, br;q=0")
    assert "content-encoding" not in refused.headers


def test_tiny_answers_and_binary_files_are_sent_as_they_are(client, person):
    small, body = raw(client, "/healthz", "gzip, br")
    assert small.status_code == 200 and len(body) < 1024
    assert "content-encoding" not in small.headers
    head = client.head("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in head.headers


def test_a_public_page_compressed_keeps_a_weak_etag_and_its_304(client, person):
    page, body = raw(client, "/recommendations", "gzip")
    assert page.headers["content-encoding"] == "gzip"
    etag = page.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get(
        "/recommendations", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert again.status_code == 304 and again.headers["etag"] == etag
    plain = client.get("/recommendations", headers={"Accept-Encoding": "identity"})
    assert plain.headers["etag"].removeprefix("W/") == etag.removeprefix("W/")


def test_stylesheets_and_scripts_are_compressed(client):
    css, body = raw(client, "/static/css/council.css", "br")
    assert css.headers["content-encoding"] == "br"
    assert len(body) < int(len(brotli.decompress(body)) / 2)


def test_the_csrf_token_differs_in_every_compressed_response(client, person):
    sign_in(client, person)
    tokens = set()
    for _ in range(2):
        answer, body = raw(client, "/account", "gzip")
        assert answer.headers["content-encoding"] == "gzip"
        found = set(TOKEN.findall(gzip.decompress(body)))
        assert len(found) == 1
        tokens |= found
    assert len(tokens) == 2  # the same secret, never the same bytes
    secrets = {unmask_csrf_token(token.decode()) for token in tokens}
    assert len(secrets) == 1
    for token in tokens:  # each masking is accepted
        response = client.post(
            "/account",
            data={"csrf_token": token.decode(), "language": "en", "timezone": "UTC"},
            follow_redirects=False,
        )
        assert response.status_code == 303


def test_only_a_masking_of_the_browsers_own_token_is_accepted(client, person):
    sign_in(client, person)
    answer, body = raw(client, "/account", "identity")
    token = TOKEN.search(body).group(1).decode()
    secret = unmask_csrf_token(token)
    forged = [
        secret,  # the unmasked token is never sent by a page
        token[:64] + "0" * 64,  # the pad alone
        token[:-2] + ("00" if token[-2:] != "00" else "11"),  # one byte changed
        mask_csrf_token(csrf_token_for(TEST_SECRET, "another browser")),
    ]
    for value in forged:
        response = client.post(
            "/account",
            data={"csrf_token": value, "language": "en", "timezone": "UTC"},
            follow_redirects=False,
        )
        assert response.status_code == 403, value


def test_masking_round_trips_and_never_repeats():
    token = csrf_token_for(TEST_SECRET, "binding")
    masked = {mask_csrf_token(token) for _ in range(20)}
    assert len(masked) == 20
    assert {unmask_csrf_token(m) for m in masked} == {token}
    assert unmask_csrf_token("not hex") == "" and unmask_csrf_token("abc") == ""


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
        ("*", "gzip"),
        ("gzip;q=0", None),
        ("GZIP", "gzip"),
    ],
)
def test_the_encoding_follows_accept_encoding(header, chosen):
    assert chosen_encoding(header) == chosen
