"""The server: what the project declares (Procfile first), else gunicorn; ASGI when needed."""

from __future__ import annotations

from generator.detect.server import detect_server
from generator.facts import Dependencies, Diagnostics, Requirement, SettingsFacts
from generator.source import LocalTree


def server(tmp_path, names, procfile=None, **settings):
    if procfile:
        (tmp_path / "Procfile").write_text(procfile)
    reqs = []
    for n in names:
        name, _, extra = n.partition("[")
        reqs.append(
            Requirement(
                name=name,
                extras=(extra.rstrip("]"),) if extra else (),
                file="requirements.txt",
                line=1,
            )
        )
    deps = Dependencies(manager="pip", requirements=tuple(reqs))
    return detect_server(LocalTree(tmp_path), ".", deps, SettingsFacts(**settings), Diagnostics())


def test_no_server_declared_adds_gunicorn(tmp_path):
    got = server(tmp_path, ["django"])
    assert (got.server, got.declared, got.asgi_required) == ("gunicorn", False, False)
    assert "never runserver" in got.evidence[-1].why


def test_declared_server_is_used(tmp_path):
    for pkg, name in [
        ("waitress", "waitress"),
        ("uwsgi", "uwsgi"),
        ("pyuwsgi", "uwsgi"),
        ("granian", "granian"),
        ("gunicorn", "gunicorn"),
    ]:
        got = server(tmp_path, ["django", pkg])
        assert (got.server, got.declared) == (name, True)
        assert got.evidence[-1].file == "requirements.txt"


def test_procfile_decides_between_declared_servers(tmp_path):
    got = server(
        tmp_path, ["django", "gunicorn", "uwsgi"], procfile="release: x\nweb: uwsgi etc/uwsgi.ini\n"
    )
    assert got.server == "uwsgi"
    assert (got.evidence[-1].file, got.evidence[-1].line) == ("Procfile", 2)


def test_channels_needs_asgi_and_prefers_declared_asgi_server(tmp_path):
    got = server(
        tmp_path, ["django", "channels[daphne]", "gunicorn"], installed_apps=("daphne", "channels")
    )
    assert got.asgi_required and got.server == "daphne"


def test_asgi_with_uvicorn_and_gunicorn_uses_gunicorn_workers(tmp_path):
    got = server(
        tmp_path,
        ["django", "gunicorn", "uvicorn-worker", "channels"],
        installed_apps=("channels",),
        channels_consumers=True,
    )
    assert got.asgi_required and got.server == "gunicorn"


def test_asgi_without_server_adds_gunicorn_with_uvicorn(tmp_path):
    got = server(tmp_path, ["django", "channels"], installed_apps=("channels",))
    assert (got.server, got.declared, got.asgi_required) == ("gunicorn", False, True)
    assert "uvicorn" in got.evidence[-1].why


def test_asgi_py_alone_is_not_asgi(tmp_path):
    got = server(tmp_path, ["django"], asgi_application="mysite.asgi:application")
    assert not got.asgi_required
