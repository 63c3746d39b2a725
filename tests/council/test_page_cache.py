"""This process's copies of anonymous public pages (council.web.PageCache, kept in a
BoundedCache): bounded in bytes, the least recently used dropped first, each served with the
headers it was made with."""

from __future__ import annotations

import gzip
import threading
import time

import brotli
from starlette.responses import Response

from council.web import PageCache


def page(size: int, etag: str) -> Response:
    return Response(b"x" * size, headers={"ETag": etag, "Cache-Control": "public, max-age=60"})


def test_a_copy_comes_back_with_its_body_and_headers():
    cache = PageCache(max_bytes=1000)
    cache.put('W/"a"', page(100, 'W/"a"'))
    copy = cache.get('W/"a"')
    assert copy is not None and copy.body == b"x" * 100
    assert copy.headers["etag"] == 'W/"a"' and copy.headers["content-length"] == "100"
    assert copy.headers["cache-control"] == "public, max-age=60"
    assert cache.get('W/"b"') is None


def test_the_least_recently_used_copies_go_first_beyond_the_bound():
    cache = PageCache(max_bytes=1000)
    for name in "abcd":
        cache.put(name, page(120, name))
    assert cache.get("a") is not None  # now the most recently used
    for name in "efghij":
        cache.put(name, page(120, name))
    assert cache.copies.size <= 1000
    assert cache.get("a") is not None
    assert cache.get("b") is None and cache.get("c") is None
    assert cache.get("j") is not None


def test_a_page_larger_than_an_eighth_of_the_bound_is_not_kept():
    cache = PageCache(max_bytes=800)
    cache.put("big", page(101, "big"))
    assert cache.get("big") is None and cache.copies.size == 0


def html_page(body: bytes, etag: str = 'W/"p"') -> Response:
    return Response(
        body,
        media_type="text/html",
        headers={"ETag": etag, "Cache-Control": "public, max-age=60", "Vary": "Cookie"},
    )


def test_a_kept_page_is_compressed_once_and_served_as_each_reader_accepts():
    cache = PageCache()
    body = b"<p>" + b"The council recommends safe and regular pathways. " * 100 + b"</p>"
    cache.put('W/"p"', html_page(body))
    for accepted, encoding, decode in (
        ("br", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
    ):
        copy = cache.answer('W/"p"', {"accept-encoding": accepted})
        assert copy is not None and copy.headers["content-encoding"] == encoding
        assert decode(copy.body) == body and len(copy.body) < len(body) / 10
        assert copy.headers["content-length"] == str(len(copy.body))
        assert copy.headers["etag"] == 'W/"p"' and copy.headers["vary"] == "Cookie"
    plain = cache.answer('W/"p"', {})
    assert plain is not None and plain.body == body and "content-encoding" not in plain.headers
    assert plain.headers["content-length"] == str(len(body))
    # the bound counts the compressed forms beside the page
    assert len(body) < cache.copies.size < len(body) * 1.2


def test_a_kept_page_answers_a_current_copy_with_its_validators():
    cache = PageCache()
    page = html_page(b"x" * 2000)
    page.headers["Last-Modified"] = "Sat, 05 Dec 2026 10:00:00 GMT"
    cache.put('W/"p"', page)
    for asked in (
        {"if-none-match": 'W/"p"', "accept-encoding": "br"},
        {"if-modified-since": "Sat, 05 Dec 2026 10:00:00 GMT"},
    ):
        answer = cache.answer('W/"p"', asked)
        assert answer is not None and answer.status_code == 304 and answer.body == b""
        assert answer.headers["etag"] == 'W/"p"'
        assert answer.headers["last-modified"] == "Sat, 05 Dec 2026 10:00:00 GMT"
    stale = cache.answer('W/"p"', {"if-none-match": 'W/"other"'})
    assert stale is not None and stale.status_code == 200
    assert cache.answer('W/"unknown"', {}) is None


def test_small_or_binary_pages_are_kept_as_they_are():
    cache = PageCache()
    cache.put("small", html_page(b"<p>short</p>", "small"))
    cache.put("pdf", Response(b"%PDF-" + b"x" * 5000, media_type="application/pdf"))
    for etag in ("small", "pdf"):
        copy = cache.answer(etag, {"accept-encoding": "br, gzip"})
        assert copy is not None and "content-encoding" not in copy.headers


def readers_at_once(cache: PageCache, make, readers: int = 5) -> list[Response]:
    answers: list[Response] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.answer_or_make('W/"p"', {}, make)))
        for _ in range(readers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_readers_of_a_page_being_made_wait_for_it_instead_of_making_it_again():
    cache, made = PageCache(), []

    def make():
        made.append(1)
        time.sleep(0.3)  # the others ask meanwhile
        return html_page(b"x" * 2000)

    answers = readers_at_once(cache, make)
    assert len(made) == 1 and len(answers) == 5
    assert all(answer.body == b"x" * 2000 for answer in answers)
    assert not cache.makers  # nothing left behind


def test_an_answer_that_is_not_kept_is_made_for_each_reader():
    cache, made = PageCache(), []

    def make():
        made.append(1)
        return Response(b"no such page", status_code=404, headers={"ETag": 'W/"p"'})

    answers = readers_at_once(cache, make, readers=3)
    assert len(made) == 3 and {answer.status_code for answer in answers} == {404}
    assert cache.answer('W/"p"', {}) is None and not cache.makers
