"""The stand-in bases answer to the exact names a generated Dockerfile asks for (no podman needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import standin

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.11.17
ARG NODE_MAJOR=24

FROM node:${NODE_MAJOR}-slim AS assets
RUN npm ci

FROM python:${PYTHON_VERSION}-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /uvx /bin/

FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
COPY --from=build /opt/venv /opt/venv
COPY --from=assets /src/dist /app/dist
"""


def test_from_images_substitutes_arg_defaults_and_skips_stages() -> None:
    refs = [(i.ref, i.line) for i in standin.from_images(DOCKERFILE)]
    assert refs == [
        ("node:24-slim", 5),
        ("python:3.11.17-slim-bookworm", 8),
        ("ghcr.io/astral-sh/uv:0.9", 9),
        ("python:3.11.17-slim-bookworm", 11),
    ]


@pytest.mark.parametrize(
    "ref",
    ["python:3.11-slim-trixie", "python:3.12-slim-trixie", "python:3.7-slim-bookworm", "redis:7"],
)
def test_no_stand_in_where_neither_pyenv_nor_debian_gives_that_python(ref: str) -> None:
    with pytest.raises(standin.StandinError, match="no stand-in"):
        standin.standin_for(ref)


def test_pyenv_versions_picks_the_newest_build_of_each_checked_minor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("3.12.1", "3.12.10", "3.12.2", "3.7.16", "3.11.7", "3.11.7-debug", "pypy3.10-7.3"):
        (tmp_path / "versions" / name / "bin").mkdir(parents=True)
        (tmp_path / "versions" / name / "bin/python3").touch()
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    found = {minor: path.name for minor, path in standin.pyenv_versions().items()}
    assert found == {"3.11": "3.11.7", "3.12": "3.12.10"}
