"""`make bench`: seed a large council into a fresh database, serve it, load it from loopback,
and write the figures beside a bare Starlette baseline into bench/results/<date>.md.

    python -m bench.run [--scale 1] [--workers 1] [--mixed-workers 2] [--users 50]
                        [--seconds 8] [--database-url postgresql+psycopg://...]

How it measures:
- the server (`council serve`, N workers, its worker jobs off so nothing else runs) is pinned
  to core 0 and the load generator (bench.load) to core 1, as the issue's wrk run was;
- requests/s: 8 keep-alive connections in a closed loop for `--seconds` per request type,
  without Accept-Encoding (as wrk sends them); one more row for the draft page with brotli;
- the baseline is a bare Starlette route (bench.baseline) returning the bytes of the draft
  page with 1,000 threads, served by the same uvicorn;
- SQL statements per request: counted in this process, on an application built by
  create_app on the same database, with an event listener on its engine (the served
  processes carry no debug switch);
- a member's page read again while nothing was written is the copy kept for them
  (council.web.reader_copy): the rows without a suffix. The rows "made afresh" hammer the
  same pages on a server that keeps no copies (COUNCIL_READER_COPIES=false), as every read
  after an act is made; their SQL column counts the statements of a page made;
- bytes: the body as sent without compression, with gzip and with brotli;
- mixed workload: `--users` members, each on one connection, 70 % page reads, 20 % htmx
  fragments, 8 % comments, 2 % positions, with think time (5 s on average: a busy member),
  on `--mixed-workers` workers; then the same on a council ten times smaller, to see what
  ten times the data costs;
- a recommendation's PDF: the first download of one the worker's job made, and of one it
  did not;
- a member's first visit: the signed-in home page and the files it loads, compressed, headers
  included.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CONNECTIONS = 8


@dataclass
class Row:
    name: str
    rate: float
    p50: float
    p99: float
    errors: int
    statements: int | None
    raw: int | None
    gzip: int | None
    br: int | None


@dataclass
class Measured:
    statements: int
    raw: int
    gzip: int | None
    br: int | None
    status: int


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mixed-workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="mean think time between a member's clicks, seconds",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=0.0,
        help="per request type (default: 3 below scale 0.5, else 8)",
    )
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server: a fresh database is made beside it"
    )
    parser.add_argument(
        "--no-compare",
        action="store_true",
        help="skip the mixed workload on a council ten times smaller",
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    seconds = args.seconds or (3.0 if args.scale < 0.5 else 8.0)
    began = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="council-bench-"))
    databases = Databases(args.database_url, work)
    try:
        report = bench(args, seconds, work, databases)
    finally:
        databases.drop_all()
        shutil.rmtree(work, ignore_errors=True)
    report["minutes"] = (time.perf_counter() - began) / 60
    path = write(report, Path(args.out))
    print(path.read_text())
    print(f"written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


class Databases:
    """Fresh SQLite files under the work folder, or fresh PostgreSQL databases."""

    def __init__(self, server_url: str, work: Path):
        self.server_url, self.work, self.created = server_url, work, []

    def create(self, name: str) -> str:
        if not self.server_url:
            return f"sqlite:///{self.work / name}.db"
        database = f"council_bench_{name}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
        admin.dispose()
        self.created.append(database)
        return (
            make_url(self.server_url).set(database=database).render_as_string(hide_password=False)
        )

    def drop_all(self) -> None:
        if not self.created:
            return
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for database in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.dispose()


def environment(url: str, work: Path, secret: str) -> dict[str, str]:
    """The served processes' settings: production (templates compiled once), no worker
    thread, and compiled Python kept under the work folder so each start is quick."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {
        **env,
        "COUNCIL_DATABASE_URL": url,
        "COUNCIL_SECRET_KEY": secret,
        "COUNCIL_ENV": "production",
        "COUNCIL_BASE_URL": "https://council.bench.invalid",
        "COUNCIL_VAR_DIR": str(work / "var"),
        "COUNCIL_WORKER_IN_SERVE": "false",
        "COUNCIL_LANGUAGE": "en",
        "PYTHONPATH": str(ROOT),
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
    }


def bench(args, seconds: float, work: Path, databases: Databases) -> dict:
    from bench.seed import seed
    from council import schema
    from council.database import Database
    from council.extensions import load_extensions
    from council.settings import Settings

    load_extensions()
    on_core(1)  # this process is the load generator
    secret = secrets.token_urlsafe(48)
    report: dict = {
        "scale": args.scale,
        "workers": args.workers,
        "mixed_workers": args.mixed_workers,
        "users": args.users,
        "think": args.think,
        "seconds": seconds,
        "rows": [],
        "notes": [],
    }
    url = databases.create("large")
    report["backend"] = make_url(url).get_backend_name()
    schema.upgrade(url)
    settings = Settings(
        database_url=url,
        secret_key=secret,
        environment="production",
        var_dir=work / "var",
        base_url="https://council.bench.invalid",
        worker_in_serve=False,
    )
    database = Database.from_url(url)
    t = time.perf_counter()
    plan = seed(database, settings, args.scale, users=args.users)
    report["seed_seconds"] = time.perf_counter() - t
    report["counts"] = plan.counts
    log(f"seeded in {report['seed_seconds']:.0f} s: {plan.counts}")

    targets = request_types(plan)
    measured, pages = measure_in_process(settings, database, targets, plan)
    made, _pages = measure_in_process(
        dataclasses.replace(settings, reader_copies=False), database, targets, plan
    )
    report["statements_by_threads"] = {
        threads: made[f"draft page, {threads:,} threads"].statements
        for threads in plan.thread_drafts
    }
    baseline_file = work / "baseline.html"
    baseline_file.write_bytes(pages["draft page, 1,000 threads"])
    database.dispose()

    env = environment(url, work, secret)
    port = free_port()
    with serve(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.baseline:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        {**env, "BENCH_BASELINE_FILE": str(baseline_file)},
        port,
        cores="0",
    ):
        bare = hammer("bare Starlette, same bytes", port, [("/", {})], seconds)
    report["rows"].append(row(bare, None, len(baseline_file.read_bytes())))
    report["bare_bytes"] = len(baseline_file.read_bytes())

    port = free_port()
    with serve(council_serve(port, args.workers), env, port, cores="0"):
        etags = fetch_etags(port, targets["public recommendation, 304"])
        for name, target in targets.items():
            requests = target.requests
            if name == "public recommendation, 304":
                requests = [
                    (path, {**headers, "If-None-Match": etags[path]}) for path, headers in requests
                ]
            result = hammer(
                name,
                port,
                requests,
                seconds,
                ok=(lambda s: s == 304) if "304" in name else (lambda s: s == 200),
            )
            report["rows"].append(row(result, measured.get(name), None))
            log(f"{name}: {result.rate:,.0f}/s")
        report["first_visit"] = first_visit(port, plan)
        report["pdf"] = pdf_downloads(port, url, settings, plan)

    # the same member pages with no copies kept: every answer made as after an act
    port = free_port()
    with serve(
        council_serve(port, args.workers),
        {**env, "COUNCIL_READER_COPIES": "false"},
        port,
        cores="0",
    ):
        for name, target in targets.items():
            if not target.signed_in or "brotli" in name:
                continue
            result = hammer(f"{name}, made afresh", port, target.requests, seconds)
            report["rows"].append(row(result, made.get(name), None))
            log(f"{name}, made afresh: {result.rate:,.0f}/s")

    port = free_port()
    with serve(council_serve(port, args.mixed_workers), env, port, cores="0,1"):
        report["mixed"] = mixed(port, plan, args, seconds)
    log(f"mixed: {report['mixed']}")

    if not args.no_compare:
        small_url = databases.create("small")
        schema.upgrade(small_url)
        small_settings = Settings(
            database_url=small_url,
            secret_key=secret,
            environment="production",
            var_dir=work / "var",
        )
        small_database = Database.from_url(small_url)
        small_plan = seed(small_database, small_settings, args.scale / 10, users=args.users)
        small_database.dispose()
        port = free_port()
        with serve(
            council_serve(port, args.mixed_workers),
            environment(small_url, work, secret),
            port,
            cores="0,1",
        ):
            report["mixed_small"] = mixed(port, small_plan, args, seconds)
        report["small_counts"] = small_plan.counts
    return report


# what is asked


@dataclass
class Target:
    requests: list[tuple[str, dict]]
    signed_in: bool


def request_types(plan) -> dict[str, Target]:
    member = {"Cookie": f"council_session={plan.member_token}"}
    htmx = {**member, "HX-Request": "true"}
    threads = plan.thread_drafts
    numbers = plan.recommendations[:200]
    found = {
        f"draft page, {n:,} threads": Target([(f"/drafts/{threads[n]}", member)], True)
        for n in sorted(threads)
    }
    found["draft page, 1,000 threads, brotli"] = Target(
        [(f"/drafts/{threads[1000]}", {**member, "Accept-Encoding": "br"})], True
    )
    found.update(
        {
            "comments of a paragraph (htmx fragment)": Target(
                [(f"/drafts/{threads[1000]}/comments?on={plan.thread_paragraph}", htmx)], True
            ),
            "home (signed in)": Target([("/", member)], True),
            "group page (signed in)": Target([(f"/groups/{plan.group_slug}", member)], True),
            "round page (signed in)": Target([(f"/rounds/{plan.round_id}", member)], True),
            "public recommendation, 200": Target(
                [(f"/recommendations/{n}", {}) for n in numbers], False
            ),
            "public recommendation, 304": Target(
                [(f"/recommendations/{n}", {}) for n in numbers], False
            ),
            "library": Target([("/recommendations", {})], False),
            "Atom feed": Target([("/recommendations.atom", {})], False),
            "API list": Target([("/api/v1/recommendations", {})], False),
        }
    )
    return found


def measure_in_process(
    settings, database, targets: dict[str, Target], plan
) -> tuple[dict[str, Measured], dict[str, bytes]]:
    """Statements and bytes of each request type, through create_app in this process."""
    from starlette.testclient import TestClient

    from council.app import create_app

    counted: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", statement, re.I):
            counted.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    app = create_app(settings, database=database)
    measured, pages = {}, {}
    try:
        with TestClient(app, base_url="http://127.0.0.1") as client:
            for name, target in targets.items():
                path, headers = target.requests[0]
                plain = {**headers, "Accept-Encoding": "identity"}
                if "304" in name:
                    etag = client.get(path, headers=plain).headers["etag"]
                    plain["If-None-Match"] = etag
                client.get(path, headers=plain)  # warm: the first read of a process
                counted.clear()
                response = client.get(path, headers=plain)
                statements = len(counted)
                body = response.content
                compressed = {
                    encoding: None if "304" in name else _sent_size(client, path, headers, encoding)
                    for encoding in ("gzip", "br")
                }
                measured[name] = Measured(
                    statements,
                    len(body),
                    compressed["gzip"],
                    compressed["br"],
                    response.status_code,
                )
                pages[name] = body
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return measured, pages


def _sent_size(client, path: str, headers: dict, encoding: str) -> int:
    """The body's size as sent to a client accepting `encoding` (before it is decoded)."""
    with client.stream("GET", path, headers={**headers, "Accept-Encoding": encoding}) as answer:
        return sum(len(chunk) for chunk in answer.iter_raw())


# serving and loading


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def council_serve(port: int, workers: int) -> list[str]:
    council = Path(sys.executable).parent / "council"
    return [
        str(council),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


@contextlib.contextmanager
def serve(command: list[str], env: dict, port: int, *, cores: str):
    """Run `command` pinned to `cores` until the block ends; wait for it to answer first."""
    if shutil.which("taskset"):
        command = ["taskset", "-c", cores, *command]
    log_file = open(Path(env["COUNCIL_VAR_DIR"]).parent / f"server-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603  (our own command)
        command,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"the server did not start: see {log_file.name}")
            time.sleep(0.2)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log_file.close()


def on_core(core: int) -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {core} if core < (os.cpu_count() or 1) else {0})


def hammer(
    name: str,
    port: int,
    requests: list[tuple[str, dict]],
    seconds: float,
    *,
    ok=lambda status: status == 200,
):
    from bench import load

    raws = [load.request("GET", path, port, headers=headers) for path, headers in requests]
    return load.run(
        load.hammer(
            name,
            port,
            raws,
            connections=CONNECTIONS,
            seconds=seconds,
            warmup=min(1.0, seconds / 3),
            ok=ok,
        )
    )


def fetch_etags(port: int, target: Target) -> dict[str, str]:
    from bench import load

    async def fetch():
        connection = await load.Connection.open("127.0.0.1", port, keep_body=True)
        found = {}
        for path, headers in target.requests:
            answer = await connection.send(load.request("GET", path, port, headers=headers))
            found[path] = answer.headers["etag"]
        connection.close()
        return found

    return load.run(fetch())


def row(result, measured: Measured | None, raw: int | None) -> Row:
    return Row(
        result.name,
        result.rate,
        result.percentile(0.5) * 1000,
        result.percentile(0.99) * 1000,
        result.errors,
        measured.statements if measured else None,
        measured.raw if measured else raw,
        measured.gzip if measured else None,
        measured.br if measured else None,
    )


def mixed(port: int, plan, args, seconds: float) -> dict:
    from bench import load

    workload = load.Workload(
        port, plan.users, plan.recommendations, think=args.think, seconds=max(12 * seconds, 36.0)
    )
    results = load.run(workload.run())
    latencies = [x for r in results.values() for x in r.latencies]
    total = load.Result(
        "all",
        latencies=latencies,
        requests=sum(r.requests for r in results.values()),
        errors=sum(r.errors for r in results.values()),
        seconds=workload.seconds,
    )
    return {
        "requests": total.requests,
        "rate": total.rate,
        "errors": total.errors,
        "p50": total.percentile(0.5) * 1000,
        "p99": total.percentile(0.99) * 1000,
        "by_kind": {
            kind: {
                "requests": r.requests,
                "errors": r.errors,
                "p50": r.percentile(0.5) * 1000,
                "p99": r.percentile(0.99) * 1000,
            }
            for kind, r in results.items()
        },
        "failures": workload.failures[:10],
    }


def first_visit(port: int, plan) -> dict:
    """The signed-in home page and the stylesheets and scripts it loads, as a browser that
    accepts brotli gets them: bytes on the wire, headers included."""
    from bench import load

    member = {"Cookie": f"council_session={plan.member_token}", "Accept-Encoding": "br, gzip"}

    async def visit():
        connection = await load.Connection.open("127.0.0.1", port, keep_body=True)
        page = await connection.send(load.request("GET", "/", port, headers=member))
        body = page.body
        if page.headers.get("content-encoding") == "br":
            import brotli

            body = brotli.decompress(body)
        elif page.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        assets = re.findall(
            rb'(?:href|src)="(?:https?://[^/"]+)?(/static/[^"]+\.(?:css|js))"', body
        )
        for asset in dict.fromkeys(assets):
            await connection.send(load.request("GET", asset.decode(), port, headers=member))
        transferred = connection.received
        connection.close()
        return {"bytes": transferred, "files": 1 + len(set(assets)), "page": page.size}

    return load.run(visit())


def pdf_downloads(port: int, url: str, settings, plan) -> dict:
    """The first and second download of the newest recommendation's PDF once the worker's job
    made it, and the first download of one it did not make."""
    from bench import load
    from council.database import Database, utcnow
    from workspaces import pdf

    newest, other = plan.recommendations[-1], plan.recommendations[-2]

    async def download(number: str) -> float:
        connection = await load.Connection.open("127.0.0.1", port)
        answer = await connection.send(load.request("GET", f"/recommendations/{number}.pdf", port))
        connection.close()
        assert answer.status == 200, answer.status
        return answer.seconds * 1000

    cold = load.run(download(other))
    database = Database.from_url(url)
    began = time.perf_counter()
    made = pdf.make_missing(database, utcnow())
    job_seconds = time.perf_counter() - began
    database.dispose()
    first = load.run(download(newest))
    second = load.run(download(newest))
    return {
        "made_by_job": made,
        "job_seconds": job_seconds,
        "first_ms": first,
        "second_ms": second,
        "not_made_first_ms": cold,
    }


# the report


BUDGETS = {
    "public recommendation, 304": ("share", 0.50),
    "public recommendation, 200": ("share", 0.25),
    "draft page, 1,000 threads": ("rate", 150),
    "draft page, 5,000 threads": ("rate", 150),
    "home (signed in)": ("rate", 300),
    "group page (signed in)": ("rate", 300),
    "round page (signed in)": ("rate", 300),
}


def write(report: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    path = folder / f"{today}.md"
    path.write_text(markdown(report, today))
    return path


def fmt(value, spec: str = ",.0f") -> str:
    return "–" if value is None or value != value else format(value, spec)  # None or NaN


def markdown(report: dict, today: str) -> str:
    rows: list[Row] = report["rows"]
    bare = rows[0].rate
    lines = [
        f"# Benchmark, {today}",
        "",
        f"`make bench BENCH_SCALE={report['scale']:g}` on {os.cpu_count()} cores "
        f"({report['backend']}): server pinned to core 0 with {report['workers']} worker(s), "
        f"load generator on core 1, {CONNECTIONS} keep-alive connections, "
        f"{report['seconds']:g} s per row, no Accept-Encoding unless the row says so. "
        f"Seeded in {report['seed_seconds']:.0f} s: "
        + ", ".join(f"{count:,} {table}" for table, count in report["counts"].items())
        + f". The whole run took {report['minutes']:.1f} minutes.",
        "",
        "| request | requests/s | share of bare | p50 ms | p99 ms | errors | SQL | bytes | "
        "gzip | brotli |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in rows:
        lines.append(
            f"| {item.name} | {fmt(item.rate)} | {item.rate / bare:.1%} | {fmt(item.p50, '.1f')} "
            f"| {fmt(item.p99, '.1f')} | {item.errors} | {fmt(item.statements, 'd')} "
            f"| {fmt(item.raw)} | {fmt(item.gzip)} | {fmt(item.br)} |"
        )
    by_threads = report["statements_by_threads"]
    mixed, small = report["mixed"], report.get("mixed_small")
    lines += [
        "",
        "## Mixed workload",
        "",
        f"{report['users']} members on {report['mixed_workers']} workers (server on "
        f"both cores, the load generator beside it), think time "
        f"{report['think']:g} s on average: 70 % page reads, 20 % htmx fragments, "
        f"8 % comments, 2 % positions.",
        "",
        "| council | requests | requests/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
        f"| this one | {mixed['requests']:,} | {mixed['rate']:,.0f} | {mixed['p50']:.1f} "
        f"| {mixed['p99']:.1f} | {mixed['errors']} |",
    ]
    if small:
        lines.append(
            f"| ten times smaller | {small['requests']:,} | {small['rate']:,.0f} | "
            f"{small['p50']:.1f} | {small['p99']:.1f} | {small['errors']} |"
        )
    lines += ["", "| kind | requests | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|"]
    for kind, figures in mixed["by_kind"].items():
        lines.append(
            f"| {kind} | {figures['requests']:,} | {fmt(figures['p50'], '.1f')} | "
            f"{fmt(figures['p99'], '.1f')} | {figures['errors']} |"
        )
    if mixed["failures"]:
        lines += ["", "Failures: " + "; ".join(mixed["failures"])]
    visit, pdf = report["first_visit"], report["pdf"]
    lines += ["", "## Budgets", "", "| budget | measured | met |", "|---|---|---|"]
    for name, (kind, goal) in BUDGETS.items():
        item = next(r for r in rows if r.name == name)
        if kind == "share":
            lines.append(
                _budget(
                    f"{name}: ≥ {goal:.0%} of bare",
                    f"{item.rate / bare:.1%}",
                    item.rate / bare >= goal,
                )
            )
        else:
            lines.append(
                _budget(f"{name}: ≥ {goal} requests/s", f"{item.rate:,.0f}/s", item.rate >= goal)
            )
    lines.append(
        _budget(
            "draft page: the same SQL statements at 10, 1,000 and 5,000 threads",
            ", ".join(f"{n:,}: {s}" for n, s in by_threads.items()),
            len(set(by_threads.values())) == 1,
        )
    )
    lines.append(
        _budget("mixed workload: p50 < 30 ms", f"{mixed['p50']:.1f} ms", mixed["p50"] < 30)
    )
    lines.append(
        _budget("mixed workload: p99 < 150 ms", f"{mixed['p99']:.1f} ms", mixed["p99"] < 150)
    )
    lines.append(_budget("mixed workload: 0 errors", str(mixed["errors"]), mixed["errors"] == 0))
    if small:
        moved = mixed["p50"] / small["p50"] - 1
        lines.append(
            _budget(
                "10× more data moves p50 by ≤ 20 %",
                f"{small['p50']:.1f} → {mixed['p50']:.1f} ms ({moved:+.0%})",
                moved <= 0.20,
            )
        )
    lines.append(
        _budget(
            "a member's first visit ≤ 60 KB",
            f"{visit['bytes'] / 1024:.1f} KB in {visit['files']} files",
            visit["bytes"] <= 60 * 1024,
        )
    )
    lines.append(
        _budget(
            "a recommendation's PDF: the first download as fast as the next",
            f"{pdf['first_ms']:.0f} ms then {pdf['second_ms']:.0f} ms (made by "
            f"the worker's job; one it had not made: {pdf['not_made_first_ms']:.0f}"
            f" ms)",
            pdf["first_ms"] <= max(3 * pdf["second_ms"], 50),
        )
    )
    lines += [
        "",
        "Requests/s and latencies vary from run to run by some per cent on a shared "
        "machine; the share of bare is the steadier figure.",
        "",
    ]
    return "\n".join(lines)


def _budget(name: str, measured: str, met: bool) -> str:
    return f"| {name} | {measured} | {'yes' if met else '**no**'} |"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
