"""The application server: which one, its command line (PID 1, $PORT), and what is added for it."""

from __future__ import annotations

from dataclasses import dataclass

from generator.plan.context import _Context
from generator.plan.model import PlanError
from generator.plan.tools import _added


@dataclass(frozen=True)
class _Server:
    name: str
    cmd: tuple[str, ...]
    comment: tuple[str, ...]
    add_packages: tuple[str, ...]  # pinned requirements we add to the venv ("gunicorn==23.0.0")


def _server(ctx: _Context) -> _Server:
    facts, options = ctx.facts, ctx.options
    deps = facts.dependencies
    asgi = facts.asgi_required
    name = options.server or facts.server or "gunicorn"
    declared = bool(deps.find(name) or (name == "uwsgi" and deps.find("pyuwsgi")))
    if name == "daphne" and not declared and facts.server == "daphne":
        declared = facts.server_declared
    add: list[str] = []
    if not declared:
        if name not in ("gunicorn",):
            raise PlanError(
                f"--server {name}: {name} is not among the project's dependencies; add it to "
                f"{deps.files[0] if deps.files else 'the manifest'} and regenerate"
            )
        add.extend(_added(ctx, "gunicorn"))
    app = _application(ctx, asgi or name in ("daphne", "uvicorn", "hypercorn"))
    port_sh = '"${PORT:-8000}"'
    workers_sh = '"${WEB_CONCURRENCY:-1}"'
    comment: tuple[str, ...]
    if name == "gunicorn":
        cmd: tuple[str, ...] = ("gunicorn",)
        if asgi:
            if deps.find("uvicorn-worker"):
                worker = "uvicorn_worker.UvicornWorker"
            elif deps.find("uvicorn"):
                # uvicorn still ships its worker class (deprecated in favour of uvicorn-worker).
                worker = "uvicorn.workers.UvicornWorker"
            else:
                worker = "uvicorn_worker.UvicornWorker"
                add.extend(_added(ctx, "uvicorn-worker"))
            cmd += ("--worker-class", worker)
        cmd += (app,)
        comment = (
            "gunicorn binds 0.0.0.0:$PORT when PORT is set and runs $WEB_CONCURRENCY workers;",
            "it is PID 1 (exec form), so docker stop reaches it and it shuts down gracefully.",
        )
    elif name == "uvicorn":
        cmd = _sh(f"exec uvicorn {app} --host 0.0.0.0 --port {port_sh}")
        comment = ("uvicorn reads $WEB_CONCURRENCY itself; `exec` makes it PID 1 for signals.",)
    elif name == "daphne":
        cmd = _sh(f"exec daphne -b 0.0.0.0 -p {port_sh} {app}")
        comment = ("daphne needs module:application; `exec` makes it PID 1 for signals.",)
    elif name == "hypercorn":
        cmd = _sh(f"exec hypercorn --bind 0.0.0.0:{port_sh} --workers {workers_sh} {app}")
        comment = ("`exec` makes hypercorn PID 1 so it receives SIGTERM.",)
    elif name == "granian":
        interface = "asgi" if asgi else "wsgi"
        cmd = _sh(
            f"exec granian --interface {interface} --host 0.0.0.0 --port {port_sh} "
            f"--workers {workers_sh} {app}"
        )
        comment = ("`exec` makes granian PID 1 so it receives SIGTERM.",)
    elif name == "uwsgi":
        module = app  # uwsgi --module accepts module:callable
        cmd = _sh(
            f"exec uwsgi --http-socket :{port_sh.strip(chr(34))} --module {module} --master "
            f"--processes {workers_sh} --die-on-term --need-app --strict"
        )
        comment = (
            "uWSGI speaks HTTP itself (--http-socket); --die-on-term makes SIGTERM stop it",
            "and `exec` makes it PID 1.",
        )
    elif name == "waitress":
        cmd = _sh(f"exec waitress-serve --listen=*:{port_sh.strip(chr(34))} {app}")
        comment = ("`exec` makes waitress PID 1 so it receives SIGTERM.",)
    else:  # pragma: no cover - options validate the name
        raise PlanError(f"unknown server {name!r}")
    why = f"{name} serves {app}"
    if add:
        why += f"; the project declares no server, so {', '.join(add)} is added to the image"
    elif options.server:
        why += " (chosen in options)"
    ctx.decide("server", None, None, why)
    return _Server(name, cmd, comment, tuple(add))


def _sh(command: str) -> tuple[str, ...]:
    # A shell only to expand $PORT; `exec` replaces it, so the server is still PID 1.
    return ("sh", "-c", command)


def _application(ctx: _Context, asgi: bool) -> str:
    s = ctx.facts.settings
    value = s.asgi_application if asgi else s.wsgi_application
    kind = "ASGI" if asgi else "WSGI"
    if value is None and asgi and s.wsgi_application and not ctx.facts.asgi_required:
        value = s.wsgi_application
    if value is None:
        package = (ctx.options.settings_module or s.settings_module or "").split(".")[0]
        if not package:
            raise PlanError(
                f"no {kind} application was found (no {kind.upper()}_APPLICATION setting or "
                f"{kind.lower()}.py); add one and regenerate"
            )
        value = f"{package}.{kind.lower()}:application"
        ctx.decide(
            "server",
            None,
            None,
            f"no {kind} application declared; assuming {value} next to the settings package",
        )
    if ":" not in value:
        module, _, attr = value.rpartition(".")
        value = f"{module}:{attr}" if module else f"{value}:application"
    return value
