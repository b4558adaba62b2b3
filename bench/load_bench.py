"""Concurrent officers and scrutiny readers against gunicorn on SQLite or PostgreSQL: throughput, latency,
lost updates.

Migrates the database the DATABASE_* variables name, loads the Oxfordshire demo if it is not there,
creates the bench's own officers (members of the demo partnerships) and scrutiny readers with strong
random passwords, starts gunicorn (``config.wsgi:application``, DEBUG off) on a free loopback port,
and then, over real HTTP:

- each officer client signs in through the login form and makes M saves of the open quarter's
  (2011/12 Q4) update of one of a few "hot" deliverables of its partnership, shared with the other
  clients of that partnership: GET the form (for its hidden ``version``), POST status, RAG, progress
  and a commentary holding a token unique to the save. A redirect is an accepted save, a page with
  the conflict message a refused one; anything else is an error;
- each reader client signs in as a scrutiny member and reads the county overview and a measure page
  until the officers finish.

Afterwards it checks the database: every accepted save's token is in the update's history exactly
once, no refused save's token is anywhere, the history gained one record per accepted save, and each
update's version went up by exactly its accepted saves. It prints the figures and exits non-zero if
an update was lost, a save was recorded twice, or any request failed (5xx or otherwise).

    .venv/bin/python bench/load_bench.py                                        # SQLite (a new file)
    bash bench/with-private-postgres.sh .venv/bin/python bench/load_bench.py   # PostgreSQL
    make bench-load                                                              # both

Options: --clients N (20), --saves M (200), --readers K (4), --workers W (gunicorn, 4), --hot H
(deliverables shared per partnership, 3).
"""

import argparse
import http.client
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CONFLICT_MESSAGE = "Someone else saved this update while you were editing it"
TOKEN = re.compile(r"\[(load-[0-9a-f]+-c\d+-s\d+)\]")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'<input[^>]*\bname="version"[^>]*>')
VALUE = re.compile(r'\bvalue="(\d*)"')


@dataclass
class Response:
    status: int
    location: str
    text: str
    seconds: float


class Session:
    """One browser: a connection to the server and its cookies (stdlib only, so nothing to install)."""

    def __init__(self, base_url: str, timeout: float = 120):
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Referer": self.base_url + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            reply = self.conn.getresponse()
            text = reply.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()  # the next request opens a new connection
            return Response(0, "", f"{type(error).__name__}: {error}", time.perf_counter() - started)
        seconds = time.perf_counter() - started
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if reply.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return Response(reply.status, reply.getheader("Location", ""), text, seconds)

    def log_in(self, username: str, password: str) -> None:
        page = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page.text)
        if page.status != 200 or not token:
            raise RuntimeError(f"login page for {username}: HTTP {page.status}")
        reply = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )
        if reply.status != 302 or "/accounts/login/" in reply.location:
            raise RuntimeError(f"{username} could not sign in: HTTP {reply.status}")


@dataclass
class Save:
    client: int
    seq: int
    deliverable: int
    token: str
    outcome: str  # "accepted", "conflict" or "error"
    status: int
    seconds: float
    detail: str = ""


@dataclass
class Tally:
    saves: list[Save] = field(default_factory=list)
    reads: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds)
    form_reads: list[tuple[int, float]] = field(default_factory=list)  # the GET before each save
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def save_payload(token: str, seq: int) -> dict:
    """A valid update whatever came before: the commentary (never empty) satisfies every rule."""
    status, rag = [("on_track", "green"), ("at_risk", "amber"), ("off_track", "red")][seq % 3]
    return {
        "status": status,
        "rag": rag,
        "progress": str(seq % 101),
        "commentary": f"Load bench save [{token}].",
    }


def classify(reply: Response, path: str) -> str:
    if reply.status == 302 and reply.location.rstrip("/").endswith(path.rstrip("/")):
        return "accepted"
    if reply.status == 200 and CONFLICT_MESSAGE in reply.text:
        return "conflict"
    return "error"


class Officer:
    """An officer updating a few deliverables of the open quarter, one save at a time."""

    def __init__(self, session: Session, client: int, run_id: str, slug: str, quarter_pk: int):
        self.session, self.client, self.run_id = session, client, run_id
        self.slug, self.quarter_pk = slug, quarter_pk
        self.seq = 0

    def path(self, deliverable: int) -> str:
        return f"/strategies/reviews/{self.slug}/{self.quarter_pk}/deliverables/{deliverable}/"

    def open_form(self, deliverable: int, tally: Tally) -> dict | None:
        """GET the update page: the form's hidden fields (CSRF token and version), or None on failure."""
        page = self.session.request("GET", self.path(deliverable))
        with tally.lock:
            tally.form_reads.append((page.status, page.seconds))
        csrf, version = CSRF_INPUT.search(page.text), VERSION_INPUT.search(page.text)
        if page.status != 200 or not csrf or not version:
            with tally.lock:
                tally.failures.append(f"client {self.client}: form for {deliverable}: HTTP {page.status}")
            return None
        value = VALUE.search(version.group(0))
        return {
            "csrfmiddlewaretoken": csrf.group(1),
            "action": "update",
            "version": value.group(1) if value else "",
        }

    def post(self, deliverable: int, hidden: dict, tally: Tally) -> Save:
        self.seq += 1
        token = f"load-{self.run_id}-c{self.client:03d}-s{self.seq:05d}"
        path = self.path(deliverable)
        reply = self.session.request("POST", path, {**hidden, **save_payload(token, self.seq)})
        outcome = classify(reply, path)
        detail = "" if outcome != "error" else (reply.text[:300] if reply.status == 0 else reply.location)
        save = Save(self.client, self.seq, deliverable, token, outcome, reply.status, reply.seconds, detail)
        with tally.lock:
            tally.saves.append(save)
        return save

    def run(self, deliverables: list[int], saves: int, tally: Tally, rng) -> None:
        for _ in range(saves):
            deliverable = rng.choice(deliverables)
            hidden = self.open_form(deliverable, tally)
            if hidden is not None:
                self.post(deliverable, hidden, tally)


def read_loop(session: Session, paths: list[str], tally: Tally, stop: threading.Event) -> None:
    i = 0
    while not stop.is_set():
        reply = session.request("GET", paths[i % len(paths)])
        with tally.lock:
            tally.reads.append((reply.status, reply.seconds))
        i += 1


def check_saves(tally: Tally, quarter_pk: int, versions_before: dict[int, int], since) -> dict:
    """Compare what the clients were told with what the database kept (the ORM, same DATABASE_*)."""
    from reviews.models import DeliverableUpdate

    deliverables = sorted({s.deliverable for s in tally.saves})
    history = DeliverableUpdate.history.filter(
        quarter_id=quarter_pk, deliverable_id__in=deliverables, history_date__gte=since
    )
    kept: dict[str, int] = {}
    for commentary in history.values_list("commentary", flat=True):
        for token in TOKEN.findall(commentary or ""):
            kept[token] = kept.get(token, 0) + 1
    accepted = [s for s in tally.saves if s.outcome == "accepted"]
    refused = [s for s in tally.saves if s.outcome == "conflict"]
    versions_now = dict(
        DeliverableUpdate.objects.filter(quarter_id=quarter_pk, deliverable_id__in=deliverables).values_list(
            "deliverable_id", "version"
        )
    )
    version_mismatch = []
    for deliverable in deliverables:
        gained = versions_now.get(deliverable, 0) - versions_before.get(deliverable, 0)
        expected = sum(1 for s in accepted if s.deliverable == deliverable)
        if gained != expected:
            version_mismatch.append((deliverable, expected, gained))
    return {
        "lost": [s for s in accepted if s.token not in kept],
        "duplicated": [t for t, n in kept.items() if n > 1],
        "refused_but_kept": [s for s in refused if s.token in kept],
        "history_records": history.count(),
        "accepted": len(accepted),
        "version_mismatch": version_mismatch,
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base_url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        if Session(base_url, timeout=5).request("GET", "/accounts/login/").status == 200:
            return
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn's graceful shutdown: workers finish their request and exit
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def prepare(n_officers: int, n_readers: int):
    """Migrate, load the demo if needed, and (re)create the bench's users with fresh random passwords."""
    from django.core.management import call_command

    from measures.models import Measure, Period
    from partnerships.models import Membership, Partnership, User
    from reviews.models import ReportingQuarter
    from strategies.models import Deliverable

    call_command("migrate", verbosity=0, interactive=False)
    if not Partnership.objects.filter(slug="oxford").exists():
        call_command("load_demo", verbosity=0)
    quarter = ReportingQuarter.objects.get(period=Period.objects.financial_quarter(2011, 4))
    if quarter.status != ReportingQuarter.Status.OPEN:
        raise SystemExit(f"{quarter} is not open for updates: load the demo into a fresh database.")
    partnerships = list(
        Partnership.objects.filter(strategies__first_year=2011, strategies__status="adopted").order_by("name")
    )
    # At least two officers per partnership, so that they contend for its shared deliverables.
    partnerships = partnerships[: max(1, min(len(partnerships), n_officers // 2))]
    officers, readers = [], []
    for i in range(n_officers):
        partnership = partnerships[i % len(partnerships)]
        user, password = bench_user(User, f"bench.officer{i:03d}", scrutiny=False)
        Membership.objects.get_or_create(user=user, partnership=partnership)
        officers.append((user.username, password, partnership))
    for i in range(n_readers):
        user, password = bench_user(User, f"bench.scrutiny{i:03d}", scrutiny=True)
        readers.append((user.username, password))
    hot = {
        p.pk: list(
            Deliverable.objects.filter(
                objective__strategy__partnership=p, objective__strategy__first_year=2011
            )
            .exclude(status__in=Deliverable.CLOSED_STATUSES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for p in partnerships
    }
    measure = Measure.objects.order_by("pk").first()
    return quarter, officers, readers, hot, measure


def bench_user(User, username: str, *, scrutiny: bool):
    password = secrets.token_urlsafe(24)
    user = User.objects.filter(username=username).first() or User(username=username)
    user.first_name, user.last_name = "Bench", username.split(".")[-1].title()
    user.is_scrutiny_member = scrutiny
    user.set_password(password)
    user.save()
    return user, password


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="officer clients (20)")
    parser.add_argument("--saves", type=int, default=200, help="saves per officer client (200)")
    parser.add_argument("--readers", type=int, default=4, help="scrutiny reader clients (4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (4)")
    parser.add_argument(
        "--hot", type=int, default=3, help="deliverables per partnership the clients share (3)"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if os.environ.get("DATABASE_ENGINE", "sqlite") != "postgresql":
        # The embedded demo database: a fresh file of its own unless DATABASE_NAME names one.
        os.environ["DATABASE_ENGINE"] = "sqlite"
        os.environ.setdefault("DATABASE_NAME", str(Path(tempfile.mkdtemp(prefix="csp-load-")) / "db.sqlite3"))
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    import random

    from django.db import connection
    from django.utils import timezone

    from reviews.models import DeliverableUpdate

    if os.environ["DATABASE_ENGINE"] == "postgresql":
        name, port = os.environ.get("DATABASE_NAME"), os.environ.get("DATABASE_PORT")
        print(f"Preparing PostgreSQL {name} on port {port}")
    else:
        print(f"Preparing SQLite {os.environ['DATABASE_NAME']}")
    quarter, officers, readers, hot, measure = prepare(args.clients, args.readers)
    hot = {pk: pks[: args.hot] for pk, pks in hot.items()}
    versions_before = dict(
        DeliverableUpdate.objects.filter(quarter=quarter).values_list("deliverable_id", "version")
    )
    connection.close()  # the bench holds no connection while gunicorn works

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="csp-load-bench-", suffix=".log")[1])
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--workers={args.workers}",
        f"--bind=127.0.0.1:{port}",
        "--timeout=120",
    ]
    run_id = secrets.token_hex(4)
    tally = Tally()
    stop = threading.Event()
    with log.open("w") as log_file:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        wait_until_up(base_url, server, log)
        print(
            f"gunicorn {args.workers} workers on {base_url}; {args.clients} officers x {args.saves} saves "
            f"on {args.hot} shared deliverables per partnership, {args.readers} scrutiny readers"
        )
        sessions = []
        for i, (username, password, partnership) in enumerate(officers):
            session = Session(base_url)
            session.log_in(username, password)
            sessions.append((Officer(session, i, run_id, partnership.slug, quarter.pk), hot[partnership.pk]))
        reader_sessions = []
        for username, password in readers:
            session = Session(base_url)
            session.log_in(username, password)
            reader_sessions.append(session)
        read_paths = ["/strategies/overview/", f"/measures/{measure.slug}/"]

        since = timezone.now()
        started = time.perf_counter()
        officer_threads = [
            threading.Thread(target=o.run, args=(d, args.saves, tally, random.Random(i)))
            for i, (o, d) in enumerate(sessions)
        ]
        reader_threads = [
            threading.Thread(target=read_loop, args=(s, read_paths, tally, stop), daemon=True)
            for s in reader_sessions
        ]
        for thread in officer_threads + reader_threads:
            thread.start()
        for thread in officer_threads:
            thread.join()
        elapsed = time.perf_counter() - started
        stop.set()
        for thread in reader_threads:
            thread.join()
    finally:
        stop.set()
        stop_server(server)

    result = check_saves(tally, quarter.pk, versions_before, since)
    return report(args, tally, result, elapsed, log)


def report(args, tally: Tally, result: dict, elapsed: float, log: Path) -> int:
    saves = tally.saves
    accepted = [s for s in saves if s.outcome == "accepted"]
    refused = [s for s in saves if s.outcome == "conflict"]
    errors = [s for s in saves if s.outcome == "error"]
    every_status = (
        [s.status for s in saves] + [st for st, _ in tally.reads] + [st for st, _ in tally.form_reads]
    )
    server_errors = sum(1 for st in every_status if st >= 500)
    read_errors = sum(1 for st, _ in tally.reads if st != 200)
    requests = len(saves) + len(tally.reads) + len(tally.form_reads)
    save_ms = [s.seconds * 1000 for s in saves]
    form_ms = [sec * 1000 for _, sec in tally.form_reads]
    read_ms = [sec * 1000 for _, sec in tally.reads]
    lost = len(result["lost"])
    rows = [
        ("officer clients x saves", f"{args.clients} x {args.saves}"),
        ("scrutiny readers", args.readers),
        ("gunicorn workers", args.workers),
        ("saves attempted", len(saves) + len(tally.failures)),
        ("accepted", len(accepted)),
        ("refused as conflicts (with the message)", len(refused)),
        ("errors (neither)", len(errors) + len(tally.failures) + read_errors),
        ("5xx responses", server_errors),
        ("wall time", f"{elapsed:.1f} s"),
        ("throughput", f"{len(saves) / elapsed:.1f} saves/s, {requests / elapsed:.1f} requests/s"),
        ("save POST p50 / p95", f"{percentile(save_ms, 50):.0f} / {percentile(save_ms, 95):.0f} ms"),
        ("update form GET p50 / p95", f"{percentile(form_ms, 50):.0f} / {percentile(form_ms, 95):.0f} ms"),
        (
            f"scrutiny reads ({len(read_ms)}) p50 / p95",
            f"{percentile(read_ms, 50):.0f} / {percentile(read_ms, 95):.0f} ms",
        ),
        ("history records added", f"{result['history_records']} (accepted saves: {result['accepted']})"),
        ("accepted saves recorded twice", len(result["duplicated"])),
        ("refused saves found in the database", len(result["refused_but_kept"])),
        ("versions not matching accepted saves", len(result["version_mismatch"])),
        ("LOST UPDATES", lost),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for line in tally.failures[:5] + [f"{s.client}/{s.seq}: HTTP {s.status} {s.detail}" for s in errors[:5]]:
        print("  error:", line)
    ok = (
        lost == 0
        and server_errors == 0
        and not errors
        and not tally.failures
        and read_errors == 0
        and not result["duplicated"]
        and not result["refused_but_kept"]
        and not result["version_mismatch"]
        and result["history_records"] == result["accepted"]
    )
    if not ok:
        print(f"FAILED (gunicorn's log: {log})")
        return 1
    log.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
