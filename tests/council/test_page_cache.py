"""This process's copies of anonymous public pages (council.web.PageCache, kept in a
BoundedCache): bounded in bytes, the least recently used dropped first, each served with the
headers it was made with."""

from __future__ import annotations

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
