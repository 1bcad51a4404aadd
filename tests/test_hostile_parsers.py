"""Pathological files are read linearly and within budgets; what cannot be read is a warning that
names the file, never a traceback. (Times and memory are measured in bench/hostile.py.)"""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest
from helpers import write_tree

from generator.cli import main
from generator.detect import _read, detect_path
from generator.detect._read import MAX_PYTHON_BYTES
from generator.detect.manifests_pip import logical_lines, parse_requirements_text
from generator.refresh import instructions, refresh_text, scan

PROJECT = {
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
    "shop/__init__.py": "",
    "shop/settings.py": "DEBUG = False\nWSGI_APPLICATION = 'shop.wsgi.application'\n",
    "shop/wsgi.py": "application = None\n",
    "requirements.txt": "Django==5.2.1\n",
}


def _warnings(root: Path) -> list[str]:
    return [str(w) for w in detect_path(root).warnings]


# --- requirements.txt -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("django # comment\n", [(1, "django")]),
        ("django#not-a-comment\n", [(1, "django#not-a-comment")]),
        ("# whole line\ndjango\n", [(2, "django")]),
        ("django \\\n  >=5 # c\n", [(1, "django    >=5")]),
        ("django \\\n# comment ends it\ngunicorn\n", [(1, "django"), (3, "gunicorn")]),
        ("a\t#tab comment\n", [(1, "a")]),
        (" " * 50_000 + "\n", []),
        (" \t" * 20_000 + "x #y\n", [(1, "x")]),
        ("x" + " " * 50_000 + "#\n", [(1, "x")]),
        ("#" * 50_000 + "\n", []),
    ],
)
def test_comments_are_read_as_pip_reads_them(text, expected):
    assert logical_lines(text) == expected


@pytest.mark.parametrize("line", ["\\\n", "django \\\n", " \\\n"])
def test_endless_continuations_end_as_one_bounded_line(line):
    parsed = parse_requirements_text(line * 200_000 + "\n", "requirements.txt")
    assert len(parsed.requirements) <= 1
    for _, message in parsed.problems:
        assert len(message) < 400


def test_a_huge_requirements_file_is_detected_with_warnings(tmp_path):
    root = write_tree(tmp_path / "repo", {**PROJECT, "requirements.txt": "Django==5.2.1\n"})
    (root / "requirements.txt").write_text("Django==5.2.1\n" + (" \t" * 40 + "x y z\n") * 40_000)
    facts = detect_path(root)
    assert facts.django


# --- nesting and Python budgets --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pyproject.toml", "x = " + "[" * 50_000 + "]" * 50_000 + "\n"),
        ("pyproject.toml", "x = " + "{a = " * 20_000 + "1" + "}" * 20_000 + "\n"),
        ("Pipfile", "[requires]\npython_version = " + "[" * 50_000 + "]" * 50_000 + "\n"),
        ("package.json", "[" * 200_000 + "]" * 200_000),
    ],
)
def test_deep_nesting_is_a_warning_naming_the_file(tmp_path, capsys, name, content):
    root = write_tree(tmp_path / "repo", {**PROJECT, name: content})
    assert main([str(root), "--stdout"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {name}" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "source",
    [
        "x = " + "(" * 5_000 + "1" + ")" * 5_000 + "\n",
        "x = " + "-" * 200_000 + "1\n",
        "x = " + "f(" * 3_000 + ")" * 3_000 + "\n",
        "x = [" + "[" * 1_000 + "]" * 1_000 + "]\n",
    ],
)
def test_deeply_nested_settings_are_a_warning(tmp_path, source):
    root = write_tree(tmp_path / "repo", {**PROJECT, "shop/settings.py": source})
    warnings = _warnings(root)
    assert any(w.startswith("shop/settings.py") for w in warnings), warnings


def test_python_over_the_file_cap_is_not_parsed(tmp_path):
    big = "X = 1\n" * (MAX_PYTHON_BYTES // 6 + 10)
    root = write_tree(tmp_path / "repo", {**PROJECT, "shop/settings.py": big})
    assert any("shop/settings.py: is" in w and "not read" in w for w in _warnings(root))


@pytest.mark.parametrize("budget", ["AST_NODES_PER_RUN", "PYTHON_BYTES_PER_RUN"])
def test_python_past_the_run_budget_is_not_parsed(tmp_path, monkeypatch, budget):
    # Each module is under the file cap; together they pass the run's budget (lowered here).
    monkeypatch.setattr(_read, budget, 3_000)
    module = "X = [" + "1," * 1_000 + "]\n"
    names = ["a", "b", "c", "d", "e"]
    files = {f"shop/{n}.py": module for n in names}
    files["shop/settings.py"] = "".join(f"from .{n} import *\n" for n in names)
    root = write_tree(tmp_path / "repo", {**PROJECT, **files})
    warnings = _warnings(root)
    assert any("not read: this run already" in w for w in warnings), warnings


def test_many_bad_lines_give_one_warning_each_quickly(tmp_path):
    root = write_tree(tmp_path / "repo", PROJECT)
    (root / "requirements.txt").write_text("Django==5.2.1\n" + "!!bad\n" * 10_000)
    warnings = _warnings(root)
    assert any("requirements; the rest is not read" in w for w in warnings)


# --- refresh: here-documents and size --------------------------------------------------------


HEREDOCS = [
    "FROM python:3.12.7-slim\nRUN <<EOF\nFROM python:3.11.1-slim\nEOF\n",
    "FROM python:3.12.7-slim\nRUN <<-'END'\n\tFROM python:3.11.1-slim\n\tEND\n",
    'FROM python:3.12.7-slim\nCOPY <<"A" /a <<B /b\nFROM python:3.11.1\nA\nFROM python:3.10.1\nB\n',
    "FROM python:3.12.7-slim\nRUN cat 3<<X\nFROM python:3.11.1\nX\n",
    "FROM python:3.12.7-slim\nADD <<EOF /x\nARG PY=3.11.1\nFROM python:${PY}\nEOF\n",
]


@pytest.mark.parametrize("text", HEREDOCS)
def test_refresh_leaves_here_document_bodies_alone(text):
    images, _ = scan(text)
    official = [c for c in dockerfile.parse_string(text) if c.cmd.upper() == "FROM"]
    assert [u.line for u in images] == [c.start_line for c in official] == [1]
    result = refresh_text(text, ["3.12.8-slim", "3.11.9-slim", "3.11.9", "3.10.9"])
    assert result.new_text == text.replace("3.12.7-slim", "3.12.8-slim", 1)


def test_instruction_lines_match_the_official_parser():
    text = "".join(HEREDOCS) + "RUN echo a \\\n  # inside\n  b\nFROM python:3.13 AS x\n"
    ours = [(i.line, i.text.split()[0].upper()) for i in instructions(text)]
    theirs = [(c.start_line, c.cmd.upper()) for c in dockerfile.parse_string(text)]
    assert ours == theirs


def test_refresh_of_many_from_lines_changes_each_once():
    text = "".join(f"FROM python:3.12.{i % 5}-slim AS s{i}\n" for i in range(3_000))
    result = refresh_text(text, ["3.12.8-slim"])
    assert len(result.changes) == 3_000
    assert result.new_text.count("3.12.8-slim") == 3_000
    assert [c.line for c in result.changes] == list(range(1, 3_001))


@pytest.mark.parametrize("size", [600 * 1024, 44 * 1024 * 1024])
def test_refresh_refuses_a_dockerfile_past_its_cap(tmp_path, capsys, size):
    root = write_tree(tmp_path / "repo", PROJECT)
    with open(root / "Dockerfile", "w") as fh:
        fh.write("FROM python:3.12.7-slim\n")
        fh.write("# " + "x" * 1022 + "\n" * 1 * 0)
        fh.write(("#" + "x" * 1022 + "\n") * (size // 1024))
    assert main(["refresh", str(root), "--registry", "http://127.0.0.1:9"]) == 1
    assert "larger than 512 kB" in capsys.readouterr().err
