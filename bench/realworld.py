"""Real projects, as a user runs the tool on them: detect -> generate -> build -> run -> HTTP probe.

    python bench/realworld.py [--jobs N] [--out results.jsonl] TREE...

For each project tree (a checkout; it is copied, never changed) it generates the Dockerfile with the
tool's defaults (zero edits; `--force` replaces a maintainer's Dockerfile, `--base-variant
slim-bookworm` because the bases here are the pyenv look-alikes of `python:X.Y-slim-bookworm`,
tests/e2e/standin.py), builds it with podman, runs it with only the runtime contract (SECRET_KEY,
ALLOWED_HOSTS, and what the tool says the settings need: a database URL, a cache URL, ...), runs
`manage.py migrate` in the container, then probes `/`. PostgreSQL and Redis are started from
Debian's packages on the host (loopback only) when a project needs them.

It prints one table: project, Python, the stage where it stopped (detect/generate/build/run/http;
`http` with a status below 500 means served), build seconds, image MB, HTTP status, how many of
the /static/ URLs the served page references answer 200 (a page without its CSS/JS), and for every
stop the cause: the meaningful log lines, whose fault (`network`: this network cannot reach what the
build asks for, facts.md §6; `generator`: the generated Dockerfile or a detection), and the class
of issue 10 it matches. Figures, not a test: builds take minutes each on shared cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests/e2e"))

import harness  # noqa: E402
import standin  # noqa: E402

# Each run has its own directory, image tags and databases: several people may run this at once.
RUN_ID = f"{time.strftime('%H%M%S')}-{os.getpid()}"
WORK = Path(tempfile.gettempdir()) / "django-dockerfile-realworld" / RUN_ID
IMAGE = "localhost/django-dockerfile-realworld/{name}:" + RUN_ID
PG_USER = "realworld"
REDIS_PORT = 6379
ALLOWED_HOSTS = "127.0.0.1,localhost"
DATABASE_PARTS = ("name", "user", "password", "host", "port", "url")  # postgres_database()'s keys

# What this network cannot reach (facts.md §6): a stop whose log says one of these is not the
# generator's fault. Checked before the generator classes below.
NETWORK_CAUSES: tuple[tuple[str, str], ...] = (
    (r"git (clone|fetch)|git\+https?://|github\.com/[^ ]+\.git", "a git dependency (GitHub)"),
    (r"github\.com/.*/releases/download|objects\.githubusercontent", "a GitHub release asset"),
    (r"download\.pytorch\.org", "download.pytorch.org"),
    (r"Unable to find installation candidates for", "Poetry's /pypi/NAME/VERSION/json (404 here)"),
    (r"/pypi/[^/ ]+/[^/ ]+/json", "PyPI's per-release JSON API (404 here)"),
    (r"(?s)Looking in indexes: https?://(?!pypi\.org/simple)\S+(?=.*(Name or service not known"
     r"|Failed to establish|ProxyError))", "a package index other than pypi.org"),
    (r"Could not resolve host|Name or service not known|Temporary failure in name resolution"
     r"|CONNECT tunnel failed|ProxyError|Tunnel connection failed", "a host outside PyPI/Debian/npm"),
)  # fmt: skip
# A host name with no dot that does not resolve is a Compose service the settings name (HOST:
# "db", redis://redis:6379), not this network: the container needs that service under that name.
# Checked before NETWORK_CAUSES, whose "Name or service not known" it would otherwise match.
SERVICE_HOST = (
    r"could not translate host name \"[\w-]+\"|failed to resolve host '[\w-]+'"
    r"|connecting to [\w-]+:\d+\. (Name or service not known|Temporary failure in name resolution)"
)
# Stops the repository causes whatever builds it: checked after the network's, before ours.
PROJECT_CAUSES: tuple[tuple[str, str], ...] = (
    (r"MissingFileError: The file '[^']+' could not be found",
     "a file its own CSS/JS references is not in the repository (Manifest storage's collectstatic)"),
)  # fmt: skip
# The failure classes of issue 10, recognised by the text a stop leaves in the log.
ISSUE_CLASSES: tuple[tuple[str, str], ...] = (
    (r"is out of\s+date\.\s+Expected|lock file .* not consistent|pyproject\.toml changed significantly",
     "11 installer disagrees with the lock"),
    (r"No matching distribution found for (gunicorn|uvicorn|uvicorn-worker|daphne|hypercorn|granian"
     r"|uwsgi|waitress|pipenv|poetry|pdm|uv|hishel)\b", "1 tool pin not for this Python"),
    (r"pg_config executable not found|initialization of _psycopg|psycopg2.*(wheel|build)",
     "2 exact pin without a wheel"),
    (r"Could not find the GDAL library|\bGEOS\b|\bPROJ\b|fatal error: [\w/.-]+\.h: No such file"
     r"|mysql_config|pkg-config|failed to find libmagic|no library called \"cairo|cannot load library .*cairo",
     "3 missing system library"),
    (r"Error loading (MySQLdb|psycopg)|No module named '(MySQLdb|psycopg2?)'",
     "4 driver for the default database"),
    (r"configuration\.py|Set the \w+ environment variable|groupdict|ImproperlyConfigured"
     r"|KeyError: '[A-Z_]+'|environ\.\w+Error|No Django settings specified"
     r"|No such file: \S*/settings/", "5/6 settings need env at build/run"),
    (r"No pyproject\.toml found|Could not open requirements file", "7 installer not where manifests are"),
    (r"npm (was )?not found|npm: not found", "8 build backend needs a tool"),
    (r"no dependency manifest", "9 dependency groups only"),
    (r"No module named '[\w.]*wsgi'", "10 which WSGI module"),
)  # fmt: skip
# Lines worth quoting when a build or a start stops, best last.
MEANINGFUL = re.compile(
    r"error|Error|ERROR|fatal|failed|Failed|No matching|not found|No such file|Traceback"
    r"|refused|denied|out of\s+date|Expected|exit code|exited|Unknown command|No Django settings"
)
# The line a Python traceback ends with: "django.core.exceptions.ImproperlyConfigured: ...".
EXCEPTION = re.compile(
    r"^([A-Za-z_][\w.]*\.)?[A-Z]\w*(Error|Exception|Configured|Exit|NotFound)\b:?"
)
PODMAN_NOISE = re.compile(
    r"^subprocess exited with status|^time=|level=(warning|info)|^podman build of .* failed after"
    r"|^Traceback \(most recent call last\)|^container .* exited before answering"
)
NOISE = re.compile(r"^(STEP \d|--> |COMMIT|Getting image source|Copying |Writing manifest|Storing)")


@dataclass
class Result:
    project: str
    python: str = "?"
    stage: str = "detect"  # where it stopped; "http" with status < 500 means served
    served: bool = False
    build_s: float | None = None
    image_mb: float | None = None
    status: int | None = None
    # The static assets the served page references (what a browser fetches next): how many
    # answered 200, of how many; None when the page references none or was not served.
    assets: tuple[int, int] | None = None
    fault: str = ""  # generator | network | project | bench
    klass: str = ""
    cause: str = ""
    notes: list[str] = field(default_factory=list)


class Stop(Exception):
    """A project stopped at STAGE; the message is the log it left."""

    def __init__(self, stage: str, log: str) -> None:
        super().__init__(log)
        self.stage = stage
        self.log = log


def _meaningful(log: str, lines: int = 3) -> str:
    """What LOG says went wrong: the last exception a traceback ended with, the last error lines
    (not progress output or podman's own "exited with status"), and the step that failed."""
    text = [line.strip() for line in log.splitlines() if line.strip()]
    exception = [line for line in text if EXCEPTION.match(line)][-1:]
    step = [line for line in text if line.startswith("Error: building at STEP")][-1:]
    errors = [
        line
        for line in text
        if MEANINGFUL.search(line)
        and not NOISE.match(line)
        and not PODMAN_NOISE.search(line)
        and line not in exception + step
    ]
    picked = exception + errors[-(lines - len(exception)) :] + step if errors else exception + step
    if not picked:
        picked = text[-lines:]
    return " | ".join(line[:240] for line in picked)


def classify(log: str) -> tuple[str, str, str]:
    """(fault, issue class, the log line that tells) for a log that stopped a project."""
    service = (SERVICE_HOST, "6 runtime contract: the settings name a Compose service host")
    for fault, table in (("generator", (service,)), ("network", NETWORK_CAUSES),
                         ("project", PROJECT_CAUSES), ("generator", ISSUE_CLASSES)):  # fmt: skip
        for pattern, what in table:
            match = re.search(pattern, log)
            if match:
                start = log.rfind("\n", 0, match.start()) + 1
                end = log.find("\n", match.end())
                telling = " ".join(log[start : end if end >= 0 else None].split())
                return fault, what, telling[:300]
    return "generator", "new/unclassified", ""


def _tool(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the tool's CLI from this checkout (python -m generator)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- services on the host ------------------------------------------------------------------

_service_lock = threading.Lock()


def _sh(*cmd: str, check: bool = True) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {proc.stdout}{proc.stderr}")
    return proc.stdout


def _start_postgres() -> str:
    """Debian's PostgreSQL cluster, started once (the caller holds _service_lock); its port."""
    if shutil.which("pg_lsclusters") is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    for line in _sh("pg_lsclusters", "--no-header").splitlines():
        version, cluster, port, status = line.split()[:4]
        if status != "online":
            _sh("pg_ctlcluster", version, cluster, "start")
        return port
    return "5432"


def postgres_database(name: str) -> dict[str, str]:
    """Start Debian's PostgreSQL on loopback (once) and give NAME a fresh database: its parts
    (name, user, password, host, port) and its URL."""
    with _service_lock:
        port = _start_postgres()
        psql = ["runuser", "-u", "postgres", "--", "psql", "-p", port, "-v", "ON_ERROR_STOP=1"]
        psql.append("-qc")
        if PG_USER not in _sh(*psql[:-1], "-tAc", "SELECT rolname FROM pg_roles"):
            _sh(*psql, f"CREATE ROLE {PG_USER} LOGIN SUPERUSER PASSWORD '{PG_USER}'")
        db = "rw_" + re.sub(r"\W", "_", f"{name}_{RUN_ID}".lower())
        _sh(*psql, f"DROP DATABASE IF EXISTS {db}")
        _sh(*psql, f"CREATE DATABASE {db} OWNER {PG_USER}")
    parts = {"name": db, "user": PG_USER, "password": PG_USER, "host": "127.0.0.1", "port": port}
    parts["url"] = f"postgres://{PG_USER}:{PG_USER}@127.0.0.1:{port}/{db}"
    return parts


def redis_url(index: int) -> str:
    """Start Debian's redis-server on loopback (once); a database number per project."""
    with _service_lock:
        if shutil.which("redis-server") is None:
            raise RuntimeError("Redis is not installed: apt-get install -y redis-server")
        ping = subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True,
                              text=True, check=False)  # fmt: skip
        if "PONG" not in ping.stdout:
            _sh("redis-server", "--bind", "127.0.0.1", "--port", str(REDIS_PORT),
                "--daemonize", "yes", "--save", "", "--appendonly", "no")  # fmt: skip
            time.sleep(1)
    return f"redis://127.0.0.1:{REDIS_PORT}/{index % 16}"


# --- the runtime contract ------------------------------------------------------------------


def service_hosts(facts: dict, notes: list[str]) -> tuple[str, ...]:
    """A database server the settings name by a bare host ("db", a Compose service; detect --json
    "database_server"): PostgreSQL on this machine with the role and database the settings
    name, reached under that host name. Other engines are not available here."""
    server = facts.get("database_server") or {}
    host = server.get("host", "")
    if not re.fullmatch(r"[A-Za-z][\w-]*", host):
        return ()
    if facts.get("database") not in ("postgresql", "postgis"):
        notes.append(f"settings name a {facts.get('database')} server {host}: not available here")
        return ()
    user, name = server.get("user", PG_USER), server.get("name", "postgres")
    password = server.get("password", "")
    if not (re.fullmatch(r"\w+", user) and re.fullmatch(r"\w+", name)) or "'" in password:
        notes.append(f"settings name role/database {user}/{name}: not created here")
        return (host,)
    psql = ["runuser", "-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-qc"]
    with _service_lock:
        _start_postgres()
        if user not in _sh(*psql[:-1], "-tAc", "SELECT rolname FROM pg_roles"):
            _sh(*psql, f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
        _sh(*psql, f"DROP DATABASE IF EXISTS {name}")
        _sh(*psql, f"CREATE DATABASE {name} OWNER {user}")
    notes.append(f"host {host} -> this machine's PostgreSQL ({user}@{name}), per the contract")
    return (host,)


def runtime_env(facts: dict, name: str, index: int, notes: list[str]) -> dict[str, str]:
    """SECRET_KEY and ALLOWED_HOSTS, plus a value for each variable the tool's runtime contract
    (detect --json "runtime_env") names, of the kind it says; services started as needed. The
    parts of a database (kind db_part/db_runtime, form name/user/password/host/port/url) are the
    real ones of one PostgreSQL database on the host, made for this project."""
    env = {"SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": ALLOWED_HOSTS}
    needs = facts.get("runtime_env")
    if needs is None:
        notes.append("no runtime contract from the tool (detect --json has no runtime_env)")
        falls_back = any(
            e.get("fact") == "sqlite" and "when unset" in e.get("why", "")
            for e in facts.get("evidence", [])
        )
        needs = []
        if facts.get("database") == "from environment" and not falls_back:
            needs = [{"name": "DATABASE_URL", "kind": "db", "form": "postgres"}]
    database: dict[str, str] = {}  # one PostgreSQL database per project, made when first asked

    def postgres(part: str) -> str:
        if not database:
            database.update(postgres_database(name))
        return database[part]

    for need in needs:
        var, kind, form = need["name"], need.get("kind") or "str", need.get("form") or ""
        upper = var.upper()
        if kind in ("db_part", "db_runtime"):
            # A part of the default database (name, user, password, host, port, url), or the
            # switch an `if` tests to set it: the host's PostgreSQL.
            env[var] = postgres(form) if form in DATABASE_PARTS else "1"
        elif kind == "db" or (upper.endswith("DATABASE_URL") or upper == "DB_URL"):
            if form and not form.startswith(("postgres", "psql", "pgsql")) and "sqlite" not in form:
                notes.append(f"{var} wants {form}://, not available here; PostgreSQL given")
            env[var] = (f"sqlite:////tmp/{name}.sqlite3" if "sqlite" in form
                        else postgres("url"))  # fmt: skip
        elif (
            kind == "cache" or "REDIS" in upper or "BROKER" in upper or upper.endswith("CACHE_URL")
        ):
            env[var] = redis_url(index)
        elif upper.endswith("SENTRY_DSN"):
            env[var] = ""  # Sentry off, as on the build's RUN lines; a deployment gives its DSN
        elif "SECRET" in upper or upper.endswith("_KEY") or "PASSWORD" in upper:
            env[var] = secrets.token_urlsafe(40)
        elif "HOST" in upper or kind == "list":
            env[var] = ALLOWED_HOSTS
        elif kind == "bool" or upper == "DEBUG":
            env[var] = "False"
        elif kind in ("int", "float"):
            env[var] = "1"
        elif kind == "email":
            env[var] = "consolemail://"
        elif kind == "choice" and form:
            env[var] = form
        elif kind == "log_level":
            env[var] = "INFO"
        elif kind in ("json", "dict"):
            env[var] = "{}"
        elif kind == "path":
            env[var] = "/tmp"
        elif kind == "url":
            env[var] = f"{form or 'http'}://127.0.0.1/"
        else:
            env[var] = f"realworld-{var.lower()}"
    return env


# --- one project ---------------------------------------------------------------------------


def _python_choice(facts: dict, notes: list[str]) -> tuple[str, list[str]]:
    """The Python the tool chose, and the flags that keep the build on a look-alike base."""
    chosen = (facts.get("python") or {}).get("version") or "?"
    have = list(standin.pyenv_versions())
    minor = ".".join(chosen.split(".")[:2])
    if minor in have or not have:
        return chosen, []
    key = tuple(int(p) for p in minor.split(".")) if re.fullmatch(r"\d+\.\d+", minor) else (0, 0)
    nearest = min(have, key=lambda m: abs(tuple(int(p) for p in m.split("."))[1] - key[1]))
    notes.append(f"tool chose Python {chosen}; no look-alike here, built with {nearest}")
    return nearest, ["--python-version", nearest]


def run_project(tree: Path, index: int, *, build_timeout: float, keep: bool,
                no_cache: bool) -> Result:  # fmt: skip
    """Detect, generate, build, run and probe one project; never raises."""
    name = tree.resolve().name
    result = Result(project=name)
    work = WORK / name
    container: harness.Container | None = None
    facts: dict = {}
    try:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(tree, work, symlinks=True, ignore=shutil.ignore_patterns(".git"))

        detected = _tool("detect", "--json", str(work))
        if detected.returncode != 0:
            raise Stop("detect", detected.stdout + detected.stderr)
        facts = json.loads(detected.stdout)
        result.python, flags = _python_choice(facts, result.notes)

        result.stage = "generate"
        generated = _tool("generate", str(work), "--force", "--base-variant", "slim-bookworm",
                          *flags)  # fmt: skip
        if generated.returncode != 0 or not (work / "Dockerfile").exists():
            raise Stop("generate", generated.stdout + generated.stderr)
        (WORK / f"{name}.Dockerfile").write_text((work / "Dockerfile").read_text())

        result.stage = "build"
        tag = IMAGE.format(name=re.sub(r"[^a-z0-9_.-]", "-", name.lower()))
        try:
            standin.provide_bases(work / "Dockerfile")
        except standin.StandinError as exc:
            raise Stop("build", f"no base image: {exc}") from exc
        started = time.monotonic()
        try:
            built = harness.build(work, tag, no_cache=no_cache, timeout=build_timeout)
        except harness.HarnessError as exc:
            result.build_s = round(time.monotonic() - started)
            raise Stop("build", str(exc)) from exc
        result.build_s = round(built.seconds)
        (WORK / f"{name}.build.log").write_text(built.log)
        result.image_mb = round(harness.image_size(tag) / 1e6)

        result.stage = "run"
        env = runtime_env(facts, name, index, result.notes)
        result.notes.append("env: " + ",".join(sorted(env)))
        container = harness.run(tag, env, hosts=service_hosts(facts, result.notes))
        try:
            harness.wait_ready(container, timeout=180)
        except harness.HarnessError as exc:
            raise Stop("run", str(exc)) from exc
        # The release step a platform runs before traffic (tables the home page reads).
        migrate = "if [ -f manage.py ]; then exec python manage.py migrate --noinput; fi; exec django-admin migrate --noinput"
        migrated = harness.exec_(container, "sh", "-c", migrate, timeout=600)
        if migrated.returncode != 0:
            result.notes.append(
                "migrate failed: " + _meaningful(migrated.stdout + migrated.stderr, 2)
            )

        result.stage = "http"
        harness.wait_ready(container, timeout=60)
        response, hops = probe(container)
        result.status = response.status
        if hops:
            result.notes.append("redirects: " + " -> ".join(hops))
        if response.status < 500:
            result.served = True
            result.assets = probe_assets(container, response, result.notes)
            return result
        last = hops[-1].split(" ", 1)[1] if hops else "/"
        last = urllib.parse.urlsplit(last).path or "/"
        raise Stop("http", _diagnose_500(container, last) or harness.logs(container))
    except Stop as stop:
        result.stage = stop.stage
        result.fault, result.klass, telling = classify(stop.log)
        absent = missing_in_checkout(stop.log, work)
        if absent:
            # A module the project's own package imports is not in this checkout: a fetched
            # snapshot that leaves large files out, or a file some build step should write
            # (a setuptools-scm _version.py): look before blaming either.
            result.fault = "checkout"
            result.klass = f"the checkout lacks {absent} (snapshot gap, or a generated file)"
        elif stop.stage == "run" and facts.get("example_modules"):
            paths = ", ".join(m["path"] for m in facts["example_modules"])
            result.fault = "contract"
            result.klass = f"the contract asks for a mounted {paths}; the bench mounts none"
        result.cause = _meaningful(stop.log)
        if telling and telling[:120] not in result.cause:
            result.cause = f"{telling} | {result.cause}"
        (WORK / f"{name}.{stop.stage}.log").write_text(stop.log)
        return result
    except Exception as exc:  # a bench bug must not hide the other projects' rows
        result.fault, result.cause = "bench", f"{type(exc).__name__}: {exc}"[:400]
        return result
    finally:
        if container is not None:
            harness.remove_container(container)
        if not keep:
            harness.remove_image(IMAGE.format(name=re.sub(r"[^a-z0-9_.-]", "-", name.lower())))


def missing_in_checkout(log: str, tree: Path) -> str | None:
    """The file of a module the log says is missing whose package is in TREE (next to siblings
    the package has), e.g. netbox/extras/data/un_locode.py: the checkout is incomplete."""
    for module in re.findall(r"No module named '([\w.]+)'", log):
        *package, last = module.split(".")
        if not package:
            continue
        for base in (tree, *(p for p in tree.iterdir() if p.is_dir())):
            directory = base.joinpath(*package)
            if (directory / "__init__.py").is_file() and not (
                (directory / f"{last}.py").exists() or (directory / last).exists()
            ):
                return str((directory / f"{last}.py").relative_to(tree))
    return None


def probe(container: harness.Container) -> tuple[harness.Response, list[str]]:
    """GET / and follow up to three redirects on this server: a 301 to /catalog/ must not hide
    a 500 there. A redirect to https (SECURE_SSL_REDIRECT) is asked again as a TLS-terminating
    proxy would (X-Forwarded-Proto); if the settings do not trust that header, the 301 stands."""
    path, headers, hops = "/", {}, []
    response = harness.get(container.url(path), headers=headers)
    for _ in range(3):
        location = response.headers.get("Location", "")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            break
        hops.append(f"{response.status} {location}")
        target = urllib.parse.urlsplit(urllib.parse.urljoin(container.url(path), location))
        if target.hostname not in ("127.0.0.1", "localhost", None):
            break
        if target.scheme == "https":
            if headers:
                break
            headers = {"X-Forwarded-Proto": "https"}
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        response = harness.get(container.url(path), headers=headers)
    return response, hops


STATIC_REF = re.compile(r"""(?:src|href)=["']([^"'#]*/static/[^"'#]+)["']""")
MAX_ASSETS = 20


def probe_assets(
    container: harness.Container, page: harness.Response, notes: list[str]
) -> tuple[int, int] | None:
    """GET each /static/ URL the page references (same host only); (answered 200, tried).
    The first failing one is named in NOTES: a page served without its CSS/JS is not served."""
    refs: list[str] = []
    for ref in STATIC_REF.findall(page.body.decode("utf-8", "replace")):
        parts = urllib.parse.urlsplit(ref)
        if parts.hostname not in (None, "127.0.0.1", "localhost") or ref in refs:
            continue
        refs.append(ref)
    if not refs:
        return None
    ok, named = 0, False
    for ref in refs[:MAX_ASSETS]:
        parts = urllib.parse.urlsplit(ref)
        # Percent-encoded as a browser sends it: `{% static %}` writes `Inter (web)/x.css` as is.
        path = urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=~")
        asset = harness.get(container.url(path + (f"?{parts.query}" if parts.query else "")))
        if asset.status == 200:
            ok += 1
        elif not named:
            notes.append(f"asset {parts.path} -> {asset.status}")
            named = True
    return ok, min(len(refs), MAX_ASSETS)


def _diagnose_500(container: harness.Container, path: str) -> str:
    """The exception behind a 500: DEBUG is off, so ask Django's test client to re-raise it."""
    code = (
        "from django.test import Client; "
        f"Client(raise_request_exception=True).get({path!r}, HTTP_HOST='127.0.0.1', secure=True)"
    )
    shell = 'if [ -f manage.py ]; then exec python manage.py shell -c "$0"; fi; exec django-admin shell -c "$0"'
    done = harness.exec_(container, "sh", "-c", shell, code, timeout=120)
    return done.stdout + done.stderr


# --- the table -----------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    """The results as one markdown table, causes in full."""
    rows = [
        "| project | Python | stage | build s | image MB | HTTP | assets 200 | fault "
        "| issue-10 class | cause |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        stage = "served" if r.served else f"stopped at {r.stage}"
        cause = (r.cause + (" — " if r.cause and r.notes else "") + "; ".join(r.notes)).replace(
            "|", "\\|"
        )
        rows.append(
            f"| {r.project} | {r.python} | {stage} | {r.build_s if r.build_s is not None else '-'} "
            f"| {r.image_mb if r.image_mb is not None else '-'} | {r.status or '-'} "
            f"| {f'{r.assets[0]}/{r.assets[1]}' if r.assets else '-'} "
            f"| {r.fault or '-'} | {r.klass or '-'} | {cause or '-'} |"
        )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    """Run every tree given; print each row as it finishes and the table at the end."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=1, help="projects at a time (default 1)")
    parser.add_argument("--build-timeout", type=float, default=1800, help="seconds per build")
    parser.add_argument("--out", type=Path, help="append one JSON line per project here")
    parser.add_argument("--keep-images", action="store_true", help="keep the built images")
    parser.add_argument("--no-cache", action="store_true", help="build without podman's cache")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True)
    print(f"main at {_sh('git', '-C', str(REPO), 'rev-parse', '--short', 'HEAD').strip()}; "
          f"logs and Dockerfiles in {WORK}", flush=True)  # fmt: skip

    def one(item: tuple[int, Path]) -> Result:
        result = run_project(item[1], item[0], build_timeout=args.build_timeout,
                             keep=args.keep_images, no_cache=args.no_cache)  # fmt: skip
        print(json.dumps(asdict(result)), flush=True)
        if args.out:
            with args.out.open("a") as out:
                out.write(json.dumps(asdict(result)) + "\n")
        return result

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, enumerate(args.trees)))
    print()
    print(table(results))
    served = sum(r.served for r in results)
    print(f"\n{served}/{len(results)} served (HTTP < 500)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
