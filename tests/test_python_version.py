"""Python version detection: every source format, precedence, conflicts, Django support, data."""

from __future__ import annotations

import re
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.detect.python_version import (
    debian_codename,
    detect_python,
    django_supported_pythons,
    newest_patch,
    supported_minors,
)
from generator.facts import Dependencies, Diagnostics, DjangoVersion, PythonChoice
from generator.source import LocalTree

NEWEST_STABLE = "3.14"


def choose(
    root: Path,
    project_dir: str = ".",
    django: DjangoVersion | None = None,
    deps: Dependencies | None = None,
) -> tuple[PythonChoice, list[str]]:
    diags = Diagnostics()
    tree = LocalTree(root, diags)
    choice = detect_python(tree, project_dir, deps or Dependencies("pip"), django, diags)
    return choice, [str(d) for d in diags.items]


def resolved(version: str, where: str = "requirements.txt:1") -> DjangoVersion:
    return DjangoVersion(f"=={version}", version, where)


def spec(text: str, where: str = "pyproject.toml:8") -> DjangoVersion:
    return DjangoVersion(text, None, where)


# --- each source format -------------------------------------------------------------------------


def test_python_version_skips_comments_and_takes_the_first_of_several(make_tree):
    root = make_tree({".python-version": "# pinned for pyenv\n\n3.12.4\n3.11.2\n"})
    choice, warnings = choose(root)
    assert choice.version == "3.12"
    assert choice.source == ".python-version:3"
    assert warnings == []


def test_python_version_pypy_line_is_warned_and_the_next_line_used(make_tree):
    root = make_tree({".python-version": "pypy3.10\n3.11\n"})
    choice, warnings = choose(root)
    assert choice.version == "3.11"
    assert any(".python-version:1" in w and "PyPy" in w for w in warnings)


def test_python_version_system_states_nothing(make_tree):
    root = make_tree({".python-version": "system\n"})
    choice, warnings = choose(root, django=resolved("5.1.15"))
    assert choice.version == "3.13"  # Django 5.1.15 supports up to 3.13
    assert warnings == []


def test_garbage_python_version_is_a_warning_naming_file_and_line(make_tree):
    root = make_tree({".python-version": "# env\nmy-virtualenv\n"})
    choice, warnings = choose(root)
    assert choice.version == NEWEST_STABLE
    assert any(w.startswith(".python-version:2") and "my-virtualenv" in w for w in warnings)


def test_runtime_txt_old_patch_maps_to_the_minor_with_the_newest_patch(make_tree):
    root = make_tree({"runtime.txt": "python-3.10.2\n"})
    choice, _ = choose(root, django=resolved("5.1.15"))
    assert choice.version == "3.10"
    assert choice.source == "runtime.txt:1"
    newest = newest_patch("3.10")
    assert any("3.10.2" in e.why and newest in e.why for e in choice.evidence)


def test_runtime_txt_utf16_with_bom_is_read(make_tree):
    root = make_tree({"runtime.txt": "python-3.11.9\n".encode("utf-16")})
    choice, _ = choose(root)
    assert choice.version == "3.11"


def test_tool_versions_takes_the_first_python_version(make_tree):
    root = make_tree({".tool-versions": "nodejs 24\n# asdf\npython 3.11.9 3.10.1\n"})
    choice, _ = choose(root)
    assert (choice.version, choice.source) == ("3.11", ".tool-versions:3")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("mise.toml", '[tools]\npython = "3.12"\n', "3.12"),
        ("mise.toml", '[tools]\nnode = "22"\npython = ["3.11", "3.12"]\n', "3.11"),
        (".mise.toml", '[tools.python]\nversion = "3.13"\n', "3.13"),
        ("mise.toml", '[tools]\npython = "prefix:3.10"\n', "3.10"),
    ],
)
def test_mise_forms(make_tree, name, content, expected):
    choice, warnings = choose(make_tree({name: content}))
    assert choice.version == expected
    assert choice.source.startswith(f"{name}:")
    assert warnings == []


def test_pipfile_python_version_and_full_version(make_tree):
    root = make_tree(
        {"Pipfile": '[packages]\ndjango = "*"\n\n[requires]\npython_version = "3.11"\n'}
    )
    choice, _ = choose(root)
    assert (choice.version, choice.source) == ("3.11", "Pipfile:5")
    root = make_tree({"Pipfile": '[requires]\npython_full_version = "3.12.4"\n'})
    assert choose(root)[0].version == "3.12"


def test_pipfile_lock_meta_requires(make_tree):
    lock = '{\n  "_meta": {\n    "requires": {\n      "python_version": "3.10"\n    }\n  }\n}\n'
    choice, _ = choose(make_tree({"Pipfile.lock": lock}))
    assert (choice.version, choice.source) == ("3.10", "Pipfile.lock:4")


def test_requires_python_range_chooses_the_only_minor_it_allows(make_tree):
    root = make_tree({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.8,<3.9"\n'})
    choice, warnings = choose(root, django=resolved("2.2.16", "pyproject.toml:8"))
    assert choice.version == "3.8"
    assert "pyproject.toml:3" in choice.source
    assert warnings == []


def test_poetry_caret_with_django_42_resolved(make_tree):
    root = make_tree(
        {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.8"\nDjango = "^4.2"\n'}
    )
    choice, _ = choose(root, django=DjangoVersion("^4.2", "4.2.16", "poetry.lock:120"))
    assert choice.version == "3.12"
    assert "pyproject.toml:2" in choice.source


def test_django_patch_level_matters(make_tree):
    root = make_tree({"pyproject.toml": '[project]\nrequires-python = ">=3.8"\n'})
    assert choose(root, django=resolved("4.2.5"))[0].version == "3.11"
    assert choose(root, django=resolved("4.2.8"))[0].version == "3.12"


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [("~3.11", "3.11"), ("3.10.*", "3.10"), (">= 3.9, < 3.12", "3.11"), ("^2.7 || ^3.6", "3.14")],
)
def test_poetry_constraint_forms(make_tree, constraint, expected):
    root = make_tree({"pyproject.toml": f'[tool.poetry.dependencies]\npython = "{constraint}"\n'})
    choice, warnings = choose(root)
    assert choice.version == expected
    assert warnings == []


def test_requires_python_exact_minor_is_a_pin(make_tree):
    root = make_tree({"pyproject.toml": '[project]\nrequires-python = "==3.13.*"\n'})
    choice, _ = choose(root, django=spec(">=5.2,<6"))
    assert (choice.version, choice.source) == ("3.13", "pyproject.toml:2")


def test_uv_lock_requires_python(make_tree):
    root = make_tree({"uv.lock": 'version = 1\nrequires-python = ">=3.10, <3.12"\n'})
    choice, _ = choose(root)
    assert choice.version == "3.11"
    assert "uv.lock:2" in choice.source


def test_setup_cfg_and_setup_py(make_tree):
    cfg = "[metadata]\nname = x\n\n[options]\npython_requires = >=3.9,<3.11\n"
    choice, _ = choose(make_tree({"setup.cfg": cfg}))
    assert choice.version == "3.10"
    assert "setup.cfg:5" in choice.source
    setup = 'import setuptools\n\nsetuptools.setup(\n    name="x",\n'
    setup += '    python_requires=">=3.9,<3.10",\n)\n'
    choice, _ = choose(make_tree({"setup.py": setup}))
    assert choice.version == "3.9"
    assert "setup.py:5" in choice.source


def test_setup_py_is_never_run_and_a_syntax_error_is_a_warning(make_tree, tmp_path):
    marker = tmp_path / "ran"
    root = make_tree({"setup.py": f"open({str(marker)!r}, 'w')\nsetup(python_requires='>=3.9'\n"})
    choice, warnings = choose(root)
    assert not marker.exists()
    assert choice.version == NEWEST_STABLE
    assert any(w.startswith("setup.py:") and "syntax error" in w for w in warnings)


def test_invalid_range_is_a_warning_not_a_crash(make_tree):
    root = make_tree({"pyproject.toml": '[project]\nrequires-python = "three point twelve"\n'})
    choice, warnings = choose(root)
    assert choice.version == NEWEST_STABLE
    assert any(w.startswith("pyproject.toml:2") and "three point twelve" in w for w in warnings)


def test_invalid_toml_is_a_warning_naming_the_file(make_tree):
    choice, warnings = choose(make_tree({"pyproject.toml": "[project\nrequires-python = 3"}))
    assert choice.version == NEWEST_STABLE
    assert any(w.startswith("pyproject.toml") and "TOML" in w for w in warnings)


# --- precedence and conflicts -------------------------------------------------------------------


def test_pins_that_agree_raise_no_warning(make_tree):
    root = make_tree({".python-version": "3.12\n", "runtime.txt": "python-3.12.1\n"})
    choice, warnings = choose(root, django=spec(">=6.0,<6.1"))
    assert (choice.version, choice.source) == ("3.12", ".python-version:1")
    assert warnings == []


def test_disagreeing_pins_python_version_wins_and_the_warning_names_both(make_tree):
    root = make_tree({".python-version": "3.12\n", "runtime.txt": "python-3.11.4\n"})
    choice, warnings = choose(root)
    assert choice.version == "3.12"
    [warning] = warnings
    assert ".python-version" in warning and "3.12" in warning
    assert "runtime.txt" in warning and "3.11.4" in warning


def test_pin_precedence_order(make_tree):
    root = make_tree(
        {
            "runtime.txt": "python-3.10.1\n",
            ".tool-versions": "python 3.11.1\n",
            "mise.toml": '[tools]\npython = "3.12"\n',
            "Pipfile": '[requires]\npython_version = "3.13"\n',
        }
    )
    assert choose(root)[0].version == "3.10"
    (root / "runtime.txt").unlink()
    assert choose(root)[0].version == "3.11"
    (root / ".tool-versions").unlink()
    assert choose(root)[0].version == "3.12"


def test_the_pin_nearest_the_project_wins(make_tree):
    root = make_tree(
        {
            ".python-version": "3.12\n",
            "backend/runtime.txt": "python-3.11.9\n",
            "backend/manage.py": "",
        }
    )
    choice, warnings = choose(root, project_dir="backend")
    assert (choice.version, choice.source) == ("3.11", "backend/runtime.txt:1")
    assert any("backend/runtime.txt" in w and ".python-version" in w for w in warnings)


def test_pin_wins_over_a_range_that_excludes_it_with_a_warning(make_tree):
    root = make_tree(
        {".python-version": "3.10\n", "pyproject.toml": '[project]\nrequires-python = ">=3.11"\n'}
    )
    choice, warnings = choose(root)
    assert choice.version == "3.10"
    assert any(".python-version:1" in w and "pyproject.toml:2" in w for w in warnings)


def test_pin_outside_django_support_is_kept_with_a_warning_naming_both(make_tree):
    root = make_tree({".python-version": "3.13\n"})
    choice, warnings = choose(root, django=resolved("4.2.16", "requirements/base.txt:3"))
    assert choice.version == "3.13"
    assert any(
        ".python-version:1" in w and "Django 4.2.16" in w and "requirements/base.txt:3" in w
        for w in warnings
    )


def test_empty_intersection_with_django_warns_and_follows_the_project(make_tree):
    root = make_tree({"pyproject.toml": '[project]\nrequires-python = ">=3.8,<3.9"\n'})
    choice, warnings = choose(root, django=resolved("6.0.2", "requirements.txt:4"))
    assert choice.version == "3.8"
    assert any("pyproject.toml:2" in w and "Django 6.0.2" in w for w in warnings)


def test_ranges_that_contradict_each_other_are_reported(make_tree):
    root = make_tree(
        {
            "pyproject.toml": '[project]\nrequires-python = ">=3.12"\n',
            "setup.cfg": "[options]\npython_requires = <3.10\n",
        }
    )
    choice, warnings = choose(root)
    assert choice.version == NEWEST_STABLE
    assert any("setup.cfg:2" in w and "pyproject.toml:2" in w for w in warnings)


def test_pin_without_an_official_image_is_ignored_with_a_warning(make_tree):
    root = make_tree({".python-version": "3.6.15\n"})
    choice, warnings = choose(root, django=resolved("5.2.8"))
    assert choice.version == NEWEST_STABLE
    assert any(w.startswith(".python-version:1") and "3.6.15" in w for w in warnings)


def test_prerelease_only_when_pinned(make_tree):
    assert choose(make_tree({".python-version": "3.15\n"}))[0].version == "3.15"
    root = make_tree({".python-version": "system\n", "pyproject.toml": ""})
    assert choose(root)[0].version == NEWEST_STABLE


# --- nothing stated -----------------------------------------------------------------------------


def test_nothing_stated_uses_newest_python_the_django_spec_allows(make_tree):
    choice, warnings = choose(make_tree({"manage.py": ""}), django=spec(">=5.2,<6"))
    assert choice.version == "3.14"
    assert "Django >=5.2,<6" in choice.source and "no version stated" in choice.source
    assert warnings == []


def test_nothing_stated_with_a_resolved_django_before_a_python_was_added(make_tree):
    choice, _ = choose(make_tree({"manage.py": ""}), django=resolved("5.2.7"))
    assert choice.version == "3.13"
    assert choice.source == "Django 5.2.7 supports up to 3.13; no version stated in the project"


def test_nothing_stated_and_no_django_uses_newest_stable(make_tree):
    choice, _ = choose(make_tree({"manage.py": ""}))
    assert choice.version == NEWEST_STABLE
    assert "no Python version stated" in choice.source


def test_unbounded_django_follows_the_project_range(make_tree):
    # pip picks the newest Django that suits Python 3.11 (5.2), so 3.11 is no conflict.
    root = make_tree({"pyproject.toml": '[project]\nrequires-python = "<3.12"\n'})
    choice, warnings = choose(root, django=spec("*", "Pipfile:5"))
    assert choice.version == "3.11"
    assert warnings == []


def test_poetry_django_spec_is_understood(make_tree):
    choice, _ = choose(make_tree({"manage.py": ""}), django=spec("^4", "pyproject.toml:10"))
    assert choice.version == "3.12"


def test_django_newer_than_the_table_is_assumed_like_the_newest_row(make_tree):
    choice, warnings = choose(make_tree({"manage.py": ""}), django=resolved("9.0"))
    assert choice.version == NEWEST_STABLE
    assert warnings == []
    assert any("newer than" in e.why for e in choice.evidence)


def test_manifests_outside_the_parent_chain_are_read_when_detection_chose_them(make_tree):
    root = make_tree(
        {"app/manage.py": "", "deploy/pyproject.toml": '[project]\nrequires-python = "~=3.10.0"\n'}
    )
    deps = Dependencies("pip", files=("deploy/pyproject.toml",))
    choice, _ = choose(root, project_dir="app", deps=deps)
    assert choice.version == "3.10"


def test_candidates_are_in_the_json_with_file_and_line(make_tree):
    root = make_tree(
        {".python-version": "3.12\n", "pyproject.toml": '[project]\nrequires-python = ">=3.10"\n'}
    )
    data = choose(root)[0].to_json()
    assert data["version"] == "3.12"
    assert {(c["file"], c["line"]) for c in data["candidates"]} == {
        (".python-version", 1),
        ("pyproject.toml", 2),
    }


# --- data tables --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("django", "python", "supported"),
    [
        ("4.2.5", "3.12", False),
        ("4.2.8", "3.12", True),
        ("4.2", "3.8", True),
        ("5.2.7", "3.14", False),
        ("5.2.8", "3.14", True),
        ("6.0", "3.11", False),
        ("6.0.1", "3.14", True),
        ("2.2.7", "3.8", False),
        ("2.2.17", "3.9", True),
        ("3.2.9", "3.10", True),
        ("1.11.17", "3.7", True),
    ],
)
def test_django_supported_pythons(django, python, supported):
    assert django_supported_pythons(django).contains(f"{python}.0") is supported


def test_django_older_than_the_table_is_an_error_with_advice():
    with pytest.raises(ValueError, match="older than every release"):
        django_supported_pythons("1.8")


def test_release_table():
    minors = supported_minors()
    assert minors[0] == "3.8" and {"3.12", "3.14", "3.15"} <= set(minors)
    assert minors == sorted(minors, key=lambda m: tuple(map(int, m.split("."))))
    for minor in minors:
        assert re.fullmatch(rf"{re.escape(minor)}\.\d+", newest_patch(minor))
    assert debian_codename("3.12") == "trixie"
    assert debian_codename("3.8") == "bookworm"
    with pytest.raises(ValueError, match="not in"):
        newest_patch("2.7")


def test_every_data_row_cites_a_source():
    data = Path(__file__).resolve().parents[1] / "generator" / "data"
    for name in ("django_python.toml", "python_releases.toml"):
        table = tomllib.loads((data / name).read_text())
        for rows in table.values():
            for row in rows:
                assert row["source"].strip(), (name, row)


# --- hostile input ------------------------------------------------------------------------------

SOURCE_FILES = [
    ".python-version",
    "runtime.txt",
    ".tool-versions",
    "mise.toml",
    ".mise.toml",
    "Pipfile",
    "Pipfile.lock",
    "pyproject.toml",
    "uv.lock",
    "setup.cfg",
    "setup.py",
]
_TOML_SHAPES = [
    '[tools]\npython = "{}"\n',
    '[requires]\npython_version = "{}"\n',
    '[project]\nrequires-python = "{}"\n',
    '[tool.poetry.dependencies]\npython = "{}"\n',
    'requires-python = "{}"\n',
    "[options]\npython_requires = {}\n",
    'setup(python_requires="{}")\n',
    '{{"_meta": {{"requires": {{"python_version": "{}"}}}}}}',
    "python {}\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(SOURCE_FILES),
    shape=st.sampled_from([*_TOML_SHAPES, "{}"]),
    value=st.text(max_size=40),
    django=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["^4", "*", ">=5.2,<6"])),
)
def test_random_content_in_any_source_never_raises(name, shape, value, django):
    content = shape.format(value.replace('"', "").replace("\\", ""))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_text(content, encoding="utf-8", errors="surrogatepass")
        dj = DjangoVersion(django, None, "x.txt:1") if django is not None else None
        choice, _ = choose(root, django=dj)
        assert choice.version in supported_minors()


def test_a_pin_outside_the_parent_chain_does_not_beat_the_project_s_own(make_tree):
    root = make_tree(
        {
            "app/manage.py": "",
            ".python-version": "3.12\n",
            "deploy/docker/Pipfile": '[requires]\npython_version = "3.10"\n',
        }
    )
    deps = Dependencies("pipenv", files=("deploy/docker/Pipfile",))
    choice, warnings = choose(root, project_dir="app", deps=deps)
    assert (choice.version, choice.source) == ("3.12", ".python-version:1")
    assert any("deploy/docker/Pipfile" in w for w in warnings)


# --- the project's own range when the image installs the project --------------------------------


def _installs(files: tuple[str, ...] = ("pyproject.toml",), manager: str = "setuptools"):
    return Dependencies(manager, files=files, installs_project=True)


def test_pin_outside_requires_python_loses_when_the_project_is_installed(make_tree):
    root = make_tree(
        {".python-version": "3.10\n", "pyproject.toml": '[project]\nrequires-python = ">=3.12"\n'}
    )
    choice, warnings = choose(root, django=spec(">=5.2,<6"), deps=_installs())
    assert choice.version in {"3.12", "3.13", "3.14"}
    assert choice.source.startswith("pyproject.toml:2")
    warning = next(w for w in warnings if w.startswith("pyproject.toml:2"))
    # Names both files, which one won, and why.
    assert ".python-version:1" in warning and "3.10" in warning
    assert f"using Python {choice.version}" in warning and "pyproject.toml wins" in warning
    assert "`pip install .` refuses" in warning


def test_pin_outside_requires_python_loses_for_lockfile_managers(make_tree):
    # uv (like Poetry and PDM) refuses to sync on a Python outside requires-python even when
    # the project itself is not installed.
    root = make_tree(
        {".python-version": "3.10\n", "pyproject.toml": '[project]\nrequires-python = ">=3.12"\n'}
    )
    deps = Dependencies("uv", files=("pyproject.toml",), lockfile="uv.lock")
    choice, warnings = choose(root, django=spec(">=5.2,<6"), deps=deps)
    assert choice.version != "3.10"
    assert any("`uv sync` refuses" in w for w in warnings)


def test_pin_outside_requires_python_is_kept_when_the_project_is_not_installed(make_tree):
    root = make_tree(
        {".python-version": "3.10\n", "pyproject.toml": '[project]\nrequires-python = ">=3.12"\n'}
    )
    deps = Dependencies("pip", files=("requirements.txt", "pyproject.toml"))
    choice, _ = choose(root, deps=deps)
    assert choice.version == "3.10"


def test_pin_inside_requires_python_still_wins_when_the_project_is_installed(make_tree):
    root = make_tree(
        {".python-version": "3.12\n", "pyproject.toml": '[project]\nrequires-python = ">=3.11"\n'}
    )
    choice, warnings = choose(root, deps=_installs())
    assert (choice.version, choice.source) == ("3.12", ".python-version:1")
    assert warnings == []


def test_setup_py_python_requires_is_enforced_against_runtime_txt(make_tree):
    root = make_tree(
        {
            "runtime.txt": "python-3.10.4\n",
            "setup.py": 'from setuptools import setup\nsetup(python_requires=">=3.11,<3.13")\n',
        }
    )
    choice, warnings = choose(root, deps=_installs(("setup.py",)))
    assert choice.version == "3.12"
    assert any(w.startswith("setup.py:2") and "runtime.txt:1" in w for w in warnings)


def test_of_several_pins_the_one_the_project_admits_is_used(make_tree):
    root = make_tree(
        {
            ".python-version": "3.10\n",
            "runtime.txt": "python-3.12.3\n",
            "pyproject.toml": '[project]\nrequires-python = ">=3.12"\n',
        }
    )
    choice, warnings = choose(root, deps=_installs(manager="uv"))
    assert (choice.version, choice.source) == ("3.12", "runtime.txt:1")
    assert any(".python-version:1" in w and "`uv sync`" in w for w in warnings)


def test_requires_python_no_image_satisfies_does_not_overrule_the_pin(make_tree):
    root = make_tree(
        {".python-version": "3.12\n", "pyproject.toml": '[project]\nrequires-python = ">=3.40"\n'}
    )
    choice, _ = choose(root, deps=_installs())
    assert choice.version == "3.12"


# --- one rule for detection and --python-version -------------------------------------------------


def test_django_older_than_every_image_gets_the_nearest_published_python_with_a_warning(make_tree):
    choice, warnings = choose(make_tree({"manage.py": ""}), django=resolved("1.11.29"))
    assert choice.version == "3.8"
    assert "Django 1.11.29 supports no Python with a current official image" in choice.source
    assert warnings == [
        "requirements.txt:1: Django 1.11.29 (from requirements.txt:1) supports Python 3.4-3.7, "
        "none of which has a current official image; using 3.8, the nearest that has one. It is "
        "outside Django's support and may fail: upgrade Django"
    ]


def test_a_wide_range_with_an_old_django_takes_the_nearest_published_python_not_the_newest(
    make_tree,
):
    root = make_tree({"pyproject.toml": '[project]\nrequires-python = ">=3.6"\n'})
    choice, warnings = choose(root, django=resolved("1.11.29"))
    assert choice.version == "3.8"
    assert any("none of which has a current official image; using 3.8" in w for w in warnings)


def test_a_range_that_excludes_djangos_pythons_takes_its_minor_nearest_to_them(make_tree):
    root = make_tree({"pyproject.toml": '[project]\nrequires-python = ">=3.10"\n'})
    choice, warnings = choose(root, django=resolved("2.2.28"))
    assert choice.version == "3.10"  # Django 2.2 stops at 3.9: 3.10 is nearest, not 3.14
    assert any("choosing 3.10, the nearest to it" in w for w in warnings)


@pytest.mark.parametrize(
    "django",
    ["1.11.0", "1.11.29", "2.2.7", "2.2.28", "3.2.25", "4.2.5", "4.2.16", "5.2.7", "6.0.1", "7.0"],
)
@pytest.mark.parametrize("requires", [None, ">=3.6", ">=3.9", "<3.11"])
def test_detection_never_chooses_a_python_that_python_version_would_refuse(
    make_tree, django, requires
):
    from packaging.version import Version

    from generator.detect.constraints import admits
    from generator.detect.python_version import django_allows

    files = {"manage.py": ""}
    if requires:
        files["pyproject.toml"] = f'[project]\nrequires-python = "{requires}"\n'
    choice, warnings = choose(make_tree(files), django=resolved(django))
    allowed = {m for m in supported_minors() if django_allows(resolved(django), m).ok}
    declared = {
        m for m in supported_minors() if not requires or admits(requires, Version(m + ".0"))
    }
    if allowed & declared:
        assert django_allows(resolved(django), choice.version).ok, (django, requires, choice)
    else:  # the project's own range and Django disagree: the range decides, with a warning
        assert choice.version in declared and warnings
