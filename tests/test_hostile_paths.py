"""Hostile repositories and paths: nothing is read or written outside the repository, only our
exact header makes a file ours, and a path that names no regular file fails the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import write_tree

from generator import action
from generator.cli import main
from generator.write import is_generated

PROJECT = {
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
    "shop/__init__.py": "",
    "shop/settings.py": "DEBUG = False\nWSGI_APPLICATION = 'shop.wsgi.application'\n",
    "shop/wsgi.py": "application = None\n",
    "requirements.txt": "Django==5.2.1\ngunicorn==23.0.0\n",
    ".python-version": "3.12\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", PROJECT)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "outside"
    path.mkdir()
    (path / "Dockerfile").write_text("FROM scratch\n# the victim's file\n")
    return path


def _config(repo: Path, body: str) -> None:
    (repo / "pyproject.toml").write_text(f"[tool.django-dockerfile]\n{body}\n")


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("dockerfile", "sub/Dockerfile"),
        ("dockerfile", "sub/deeper/Dockerfile"),
        ("dockerfile", "sub/./Dockerfile"),
        ("dockerignore", "sub/.dockerignore"),
        ("dockerignore", "sub/.bashrc"),
    ],
)
@pytest.mark.parametrize("force", [False, True])
def test_option_through_a_symlinked_directory_is_refused(
    repo, outside, capsys, option, value, force
):
    os.symlink(outside, repo / "sub")
    _config(repo, f'{option} = "{value}"')
    before = _snapshot(outside)
    status = main([str(repo), *(["--force"] if force else [])])
    assert status == 1
    assert _snapshot(outside) == before
    assert not (outside / "deeper").exists()
    err = capsys.readouterr().err
    assert f"the {option} option" in err and "outside the repository" in err
    assert not (repo / "Dockerfile").exists()  # nothing half-written either


@pytest.mark.parametrize("flag", ["--dockerfile", "--dockerignore"])
def test_check_flag_through_a_symlink_is_refused(repo, outside, capsys, flag):
    os.symlink(outside, repo / "link")
    assert main(["check", str(repo), flag, "link/Dockerfile"]) == 1
    assert "outside the repository" in capsys.readouterr().err
    assert sorted(p.name for p in outside.iterdir()) == ["Dockerfile"]


def test_dockerfile_that_is_a_symlink_to_an_outside_file_is_not_written_through(
    repo, outside, capsys
):
    os.symlink(outside / "Dockerfile", repo / "Dockerfile")
    before = _snapshot(outside)
    assert main([str(repo), "--force"]) == 1
    assert _snapshot(outside) == before
    assert "the dockerfile option ('Dockerfile') is a symlink" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["directory", "fifo"])
@pytest.mark.parametrize("force", [False, True])
def test_dockerfile_path_that_is_not_a_file_fails_the_run(repo, capsys, kind, force):
    target = repo / "Dockerfile"
    if kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    assert main([str(repo), *(["--force"] if force else [])]) == 1
    err = capsys.readouterr().err
    assert "the dockerfile option ('Dockerfile') is" in err and "nothing was written" in err


@pytest.mark.parametrize("value", [".", "./", "sub/..", "/etc/passwd", "../x", "a\nb", "a\u2028b"])
def test_file_options_that_are_no_relative_file_path_are_warned_and_ignored(repo, capsys, value):
    _config(repo, f"dockerfile = {value!r}".replace("'", '"') if "\n" not in value else "")
    if "\n" in value or "\u2028" in value:
        (repo / "pyproject.toml").write_text(
            "[tool.django-dockerfile]\ndockerfile = " + repr(value).replace("'", '"') + "\n"
        )
    assert main([str(repo)]) == 0
    assert (repo / "Dockerfile").is_file()
    assert "dockerfile" in capsys.readouterr().err


def test_pyproject_linking_outside_is_not_read(repo, outside, capsys):
    (outside / "pyproject.toml").write_text(
        '[tool.django-dockerfile]\ndockerfile = "Evil.Dockerfile"\n'
    )
    os.symlink(outside / "pyproject.toml", repo / "pyproject.toml")
    assert main([str(repo)]) == 0
    assert (repo / "Dockerfile").is_file() and not (repo / "Evil.Dockerfile").exists()


def test_refresh_refuses_a_dockerfile_outside(repo, outside, capsys):
    os.symlink(outside, repo / "sub")
    status = main(["refresh", str(repo), "--dockerfile", "sub/Dockerfile"])
    assert status == 1
    assert "outside the repository" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_refresh_and_check_fail_on_a_dockerfile_that_is_not_a_file(repo, capsys, kind):
    target = repo / "Dockerfile"
    target.mkdir() if kind == "directory" else os.mkfifo(target)
    assert main(["refresh", str(repo)]) == 1
    assert main(["check", str(repo)]) == 1
    assert "the dockerfile option" in capsys.readouterr().err


# --- the action: empty inputs fall back to the repository's own configuration --------------------


@pytest.fixture
def gha(tmp_path, monkeypatch, outside):
    for key in list(os.environ):
        if key.startswith(("INPUT_", "GITHUB_")):
            monkeypatch.delenv(key)
    workspace = write_tree(tmp_path / "github" / "workspace", PROJECT)
    for name in ("output", "summary"):
        (tmp_path / name).touch()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary"))
    monkeypatch.setattr(action, "configure_git", lambda workspace: None)
    return workspace


@pytest.mark.parametrize(
    ("config", "victim"),
    [
        ('dockerfile = "sub/Dockerfile"', "Dockerfile"),
        ('dockerignore = "sub/.bashrc"', ".bashrc"),
        ('dockerfile = "sub/x/Dockerfile"\ndockerignore = "sub/.bashrc"', ".bashrc"),
    ],
)
def test_action_with_empty_path_inputs_still_checks_the_path_used(
    gha, outside, monkeypatch, capsys, config, victim
):
    os.symlink(outside, gha / "sub")
    _config(gha, config)
    monkeypatch.setenv("INPUT_DOCKERFILE", "")
    monkeypatch.setenv("INPUT_DOCKERIGNORE", "")
    monkeypatch.setenv("INPUT_OVERWRITE", "always")
    before = _snapshot(outside)
    assert action.run() == 1
    assert _snapshot(outside) == before
    assert not (outside / victim).exists() or victim == "Dockerfile"
    assert "outside the repository" in capsys.readouterr().out


def test_action_refresh_through_a_symlink_fails(gha, outside, monkeypatch, capsys):
    os.symlink(outside, gha / "sub")
    _config(gha, 'dockerfile = "sub/Dockerfile"')
    monkeypatch.setenv("INPUT_DOCKERFILE", "")
    monkeypatch.setenv("INPUT_MODE", "refresh")
    assert action.run(registry=object()) == 1
    assert "outside the repository" in capsys.readouterr().out


# --- the ownership marker ----------------------------------------------------------------------

OURS = (
    "# syntax=docker/dockerfile:1\n# Generated by django-dockerfile 0.1.0 (production profile).\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "# NOT Generated by django-dockerfile\nFROM python:3.12\n",
        "# syntax=docker/dockerfile:1\n# NOT Generated by django-dockerfile 0.1.0\n",
        "FROM python:3.12\nRUN echo '# Generated by django-dockerfile'\n",
        "# my notes\n# Generated by django-dockerfile 0.1.0 (production profile).\n",
        "# syntax=docker/dockerfile:1\n\n# Generated by django-dockerfile 0.1.0.\n",
        "# Generated by django-dockerfile-fork 1.0\nFROM python\n",
        "# Generated by django-dockerfile 0.1.0 (production profile). Edited by hand\n",
        "#Generated by django-dockerfile\n",
        "RUN true # Generated by django-dockerfile\n",
        "# Generated by django-dockerfile\u2028 0.1.0\n",
    ],
)
def test_the_mark_anywhere_but_in_its_place_does_not_make_a_file_ours(repo, capsys, text):
    assert not is_generated(text)
    (repo / "Dockerfile").write_text(text)
    assert main([str(repo)]) == 3  # kept: hand-written
    assert (repo / "Dockerfile").read_text() == text


@pytest.mark.parametrize(
    "text",
    [
        OURS,
        "# Generated by django-dockerfile\nFROM python:3.12-slim\n",
        "\ufeff# Generated by django-dockerfile 0.1.0; regenerate with `django-dockerfile .`.\n",
        "# syntax=docker/dockerfile:1\r\n# Generated by django-dockerfile 0.2.0 (minimal profile).\r\n",
    ],
)
def test_our_header_in_its_place_makes_a_file_ours(text):
    assert is_generated(text)
