"""The main pages of every role are valid HTML for the Nu Html Checker (vnu.jar from the npm
package `vnu-jar`, installed in tests/vnu by `make test`, run with Debian's Java): no error, and
no section or article without a heading. One run of the checker over every page saved to files.

Without Java or the checker the test is skipped, loudly; with CI=true it fails instead."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import make_settings, sign_in
from tests.workspaces import showcase

VNU_JAR = Path(__file__).resolve().parents[1] / "vnu/node_modules/vnu-jar/build/dist/vnu.jar"
OUTLINE_NOTES = ("Section lacks heading", "Article lacks heading")


@pytest.fixture
def settings(database_url, tmp_path):
    """No bookkeeping flush while the pages are read: in tests it would share the test's one
    connection with a request."""
    return make_settings(database_url, tmp_path, bookkeeping_seconds=3600)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.exists():
        return [java, "-Xss4m", "-jar", str(VNU_JAR)]
    message = (
        "The Nu Html Checker cannot run: it needs Java (apt-get install "
        "default-jre-headless) and tests/vnu/node_modules (npm ci in tests/vnu; "
        "`make test` does both)."
    )
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{message} CI=true, so it fails the run.", pytrace=False)
    pytest.skip(message)


def pages(s: showcase.Showcase) -> dict[str, list[str]]:
    """The pages to check, by who reads them (None: anonymous)."""
    rec, draft = f"/recommendations/{s.recommendation}", f"/drafts/{s.draft_id}"
    working = [
        f"/rounds/{s.comment_round_id}",
        f"/rounds/{s.decision_round_id}",
        f"/rounds/{s.adopted_round_id}",
        f"/amendments/{s.amendment_id}",
    ]
    return {
        "anonymous": [
            "/",
            "/sign-in",
            "/recommendations",
            rec,
            f"{rec}?lang=es",
            f"/statements/{s.statement}",
        ],
        "member": [
            "/",
            "/groups/pathways",
            draft,
            *working,
            f"{draft}/amendments",
            f"{draft}/history",
            f"{draft}/versions/es",
            rec,
            "/account",
            "/needs-you",
            "/notifications",
        ],
        "chair": [
            "/",
            "/groups/pathways",
            draft,
            f"/rounds/{s.decision_round_id}",
            f"/amendments/{s.amendment_id}",
            f"{draft}/amendments/decide",
            "/account",
        ],
        "observer": ["/", rec, f"/statements/{s.statement}", "/account"],
        "secretariat": [
            "/",
            "/groups/pathways",
            draft,
            f"/rounds/{s.decision_round_id}",
            "/admin",
            "/admin/council",
            "/admin/people",
            "/admin/seats",
            "/admin/groups",
            "/admin/audit",
            "/account",
        ],
    }


def test_the_main_pages_of_every_role_are_valid_html(client, db, tmp_path):
    command = vnu_command()
    s = showcase.build(db)
    db.commit()
    readers = {
        "anonymous": None,
        "member": s.world.member,
        "chair": s.world.chair,
        "observer": s.world.observer,
        "secretariat": s.world.secretariat,
    }
    saved: dict[str, str] = {}
    for role, paths in pages(s).items():
        client.cookies.clear()
        if readers[role] is not None:
            sign_in(client, readers[role])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, f"{role} {path}: {response.status_code}"
            name = f"{len(saved):02d}.html"
            (tmp_path / name).write_text(response.text, encoding="utf-8")
            saved[name] = f"{role} {path}"

    run = subprocess.run(
        [*command, "--format", "json", "--stdout", *(str(tmp_path / name) for name in saved)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stdout)["messages"]
    found = [
        f"{saved.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}, line "
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error") or m["message"].startswith(OUTLINE_NOTES)
    ]
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:60])
