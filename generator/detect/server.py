"""Which application server runs the project, and whether it must speak ASGI."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.detect._read import join, parent_dirs
from generator.facts import Dependencies, Diagnostics, Evidence, SettingsFacts
from generator.source import SourceTree

# Distribution name -> server. pyuwsgi is the wheel build of uWSGI.
SERVER_PACKAGES = {
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "daphne": "daphne",
    "hypercorn": "hypercorn",
    "granian": "granian",
    "uwsgi": "uwsgi",
    "pyuwsgi": "uwsgi",
    "waitress": "waitress",
}
ASGI_SERVERS = ("daphne", "uvicorn", "hypercorn", "granian")
# With several servers declared and nothing else to go by, the most common production choice wins.
WSGI_PREFERENCE = ("gunicorn", "uwsgi", "waitress", "granian", "uvicorn", "hypercorn", "daphne")
ASGI_PREFERENCE = ("gunicorn", "uvicorn", "daphne", "hypercorn", "granian")
_PROCFILE_WEB = re.compile(r"^\s*web\s*:\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class ServerFacts:
    server: str
    declared: bool  # the project lists it; otherwise we add it
    asgi_required: bool
    evidence: tuple[Evidence, ...]


def detect_server(
    tree: SourceTree,
    project_dir: str,
    deps: Dependencies,
    settings: SettingsFacts,
    diags: Diagnostics,
) -> ServerFacts:
    """The server the project declares (Procfile first, then dependencies), else gunicorn."""
    evidence: list[Evidence] = []
    asgi_required, asgi_why = _asgi_required(deps, settings)
    if asgi_why:
        evidence.append(asgi_why)

    declared: dict[str, Evidence] = {}
    for req in deps.requirements:
        server = SERVER_PACKAGES.get(req.name)
        if server and server not in declared:
            declared[server] = Evidence(
                "server", req.file, req.line, f"{req.name} is a declared dependency"
            )
        if req.name == "channels" and "daphne" in req.extras and "daphne" not in declared:
            declared["daphne"] = Evidence(
                "server", req.file, req.line, "channels[daphne] brings the daphne server"
            )
    if "daphne" in settings.installed_apps and "daphne" not in declared:
        declared["daphne"] = Evidence(
            "server",
            settings.settings_files[0] if settings.settings_files else None,
            None,
            "daphne is in INSTALLED_APPS",
        )

    procfile = _procfile_server(tree, project_dir)
    if procfile and procfile[0] in declared:
        server, file, line = procfile
        evidence.append(Evidence("server", file, line, f"the Procfile web process runs {server}"))
        return ServerFacts(server, True, asgi_required, tuple(evidence))

    preference = ASGI_PREFERENCE if asgi_required else WSGI_PREFERENCE
    for server in preference:
        if server in declared:
            if asgi_required and server == "gunicorn" and not _has_uvicorn_worker(deps):
                # gunicorn alone cannot serve ASGI; prefer a declared ASGI server if any.
                asgi_declared = [s for s in ASGI_SERVERS if s in declared]
                if asgi_declared:
                    server = asgi_declared[0]
            evidence.append(declared[server])
            if len(declared) > 1:
                others = ", ".join(sorted(s for s in declared if s != server))
                evidence.append(
                    Evidence(
                        "server",
                        None,
                        None,
                        f"{server} chosen over {others} ({'ASGI' if asgi_required else 'WSGI'})",
                    )
                )
            return ServerFacts(server, True, asgi_required, tuple(evidence))

    why = (
        "no application server is declared: gunicorn with uvicorn workers is added for ASGI"
        if asgi_required
        else "no application server is declared: gunicorn is added (never runserver)"
    )
    evidence.append(Evidence("server", None, None, why))
    return ServerFacts("gunicorn", False, asgi_required, tuple(evidence))


def _has_uvicorn_worker(deps: Dependencies) -> bool:
    return bool(deps.find("uvicorn-worker") or deps.find("uvicorn"))


def _asgi_required(deps: Dependencies, settings: SettingsFacts) -> tuple[bool, Evidence | None]:
    """ASGI is required for websockets (Channels consumers), not because asgi.py exists."""
    settings_file = settings.settings_files[0] if settings.settings_files else None
    if settings.channels_consumers:
        return True, Evidence(
            "asgi", None, None, "Channels websocket consumers/routing are defined"
        )
    if "channels" in settings.installed_apps or "daphne" in settings.installed_apps:
        app = "daphne" if "daphne" in settings.installed_apps else "channels"
        return True, Evidence("asgi", settings_file, None, f"{app} is in INSTALLED_APPS")
    return False, None


def _procfile_server(tree: SourceTree, project_dir: str) -> tuple[str, str, int] | None:
    for directory in parent_dirs(project_dir):
        path = join(directory, "Procfile")
        text = tree.read_text(path)
        if not text:
            continue
        match = _PROCFILE_WEB.search(text)
        if not match:
            continue
        line = text.count("\n", 0, match.start()) + 1
        command = match.group(1)
        for word in re.split(r"[\s;&|]+", command):
            base = word.rsplit("/", 1)[-1]
            name = {"waitress-serve": "waitress", "pyuwsgi": "uwsgi"}.get(base, base)
            if name in SERVER_PACKAGES.values():
                return name, path, line
    return None
