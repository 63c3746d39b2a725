"""The bare baseline: a Starlette route that returns the bytes of a saved page, nothing else
(no middleware, no database), served by the same uvicorn as `council serve`."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BENCH_BASELINE_FILE"]).read_bytes()


def page(request):
    return Response(BODY, media_type="text/html; charset=utf-8")


app = Starlette(routes=[Route("/", page), Route("/healthz", page)])
