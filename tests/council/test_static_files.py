"""Static files: those whose names carry their version are kept a year and never revalidated;
the others, whose content changes under the same name with a release, a day."""

from __future__ import annotations

from council.app import STATIC_DIR

YEAR = "public, max-age=31536000, immutable"
DAY = "public, max-age=86400"


def test_versioned_files_are_immutable_for_a_year_and_the_others_kept_a_day(client):
    assert (STATIC_DIR / "js/htmx-4.0.1.min.js").exists()
    for path in ("js/htmx-4.0.1.min.js", "js/hx-sse-4.0.1.min.js"):
        response = client.get(f"/static/{path}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == YEAR
    for path in (
        "css/council.css",
        "css/print.css",
        "js/live.js",
        "js/timezone.js",
        "js/htmx-LICENSE.txt",
    ):
        assert client.get(f"/static/{path}").headers["cache-control"] == DAY, path
