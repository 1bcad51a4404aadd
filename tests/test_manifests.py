"""Package manager and production dependency detection, on small trees written per pattern."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from generator.detect.manifests import declares_django, detect_dependencies
from generator.detect.manifests_declared import poetry_specifier
from generator.detect.manifests_pip import parse_requirements_text
from generator.facts import Dependencies, Diagnostics
from generator.source import LocalTree


def make_tree(
    root: Path, files: dict[str, str | bytes], diags: Diagnostics | None = None
) -> LocalTree:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return LocalTree(root, diags)


def detect(
    root: Path, files: dict[str, str | bytes], project_dir: str = "."
) -> tuple[Dependencies, list[str]]:
    diags = Diagnostics()
    deps = detect_dependencies(make_tree(root, files, diags), project_dir, diags)
    return deps, [str(d) for d in diags.items]


def whys(deps: Dependencies) -> str:
    return "\n".join(e.why for e in deps.evidence)


# --- pip ---------------------------------------------------------------------------------------


def test_root_requirements_that_only_includes_production_resolves_to_it(tmp_path):
    deps, warnings = detect(
        tmp_path,
        {
            "manage.py": "",
            "requirements.txt": "-r requirements/production.txt\n",
            "requirements/base.txt": "Django==5.2.7  # the framework\npsycopg2==2.9.11\n",
            "requirements/production.txt": "-r base.txt\ngunicorn==23.0.0\n",
            "requirements/local.txt": "-r base.txt\nDjango-debug-toolbar\npytest\n",
        },
    )
    assert deps.manager == "pip"
    assert deps.install_file == "requirements/production.txt"
    assert deps.install_inputs == ("requirements/production.txt", "requirements/base.txt")
    assert deps.names() == {"django", "psycopg2", "gunicorn"}
    assert deps.find("django").resolved == "5.2.7"
    assert (deps.find("django").file, deps.find("django").line) == ("requirements/base.txt", 1)
    assert "requirements/local.txt" in deps.files
    assert warnings == []


def test_requirements_txt_that_only_includes_base_resolves_to_base(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "requirements.txt": "-r requirements/base.txt\n",
            "requirements/base.txt": "Django==5.2.7\n",
            "requirements/local.txt": "-r base.txt\nipython\n",
        },
    )
    assert deps.install_file == "requirements/base.txt"
    assert "only includes requirements/base.txt" in whys(deps)


def test_dev_and_test_files_are_never_the_production_set(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "requirements-dev.txt": "Django==5.2\npytest\n",
            "requirements/test.txt": "Django==5.2\n",
            "docs/requirements.txt": "sphinx\n",
        },
    )
    assert deps.manager == "none"


def test_requirements_txt_beats_base_and_is_looked_for_up_to_the_root(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "src/backend/manage.py": "",
            "requirements.txt": "Django>=5.2,<6\n",
            "requirements/base.txt": "Django>=5.2,<6\n",
        },
        project_dir="src/backend",
    )
    assert deps.install_file == "requirements.txt"
    assert deps.find("django").specifier == SpecifierSet(">=5.2,<6")


def test_file_options_hashes_vcs_urls_markers_and_editable_project(tmp_path):
    deps, warnings = detect(
        tmp_path,
        {
            "requirements.txt": """
                -i https://pypi.org/simple
                --extra-index-url https://example.org/simple
                django==5.2.7 \\
                    --hash=sha256:aaaa \\
                    --hash=sha256:bbbb
                pywin32==306 ; sys_platform == "win32"
                -e git+https://github.com/example/django-thing.git@v1.2#egg=django-thing
                django-push @ git+https://github.com/brutasse/django-push.git@22fda99
                https://example.org/dist/Some_Lib-1.0.tar.gz
                -e .[postgres]
            """,
        },
    )
    assert warnings == []
    assert deps.hashes is True
    assert deps.find("django").resolved == "5.2.7"
    assert deps.find("django").line == 3
    assert deps.find("pywin32").marker == 'sys_platform == "win32"'
    thing = deps.find("django-thing")
    assert thing.url == "git+https://github.com/example/django-thing.git@v1.2"
    assert thing.is_vcs
    assert deps.find("django-push").is_vcs
    assert deps.find("some-lib").url == "https://example.org/dist/Some_Lib-1.0.tar.gz"
    assert deps.installs_project is True
    assert deps.extras == ("postgres",)


def test_bad_line_is_a_warning_with_file_and_line_and_the_rest_is_read(tmp_path):
    deps, warnings = detect(
        tmp_path, {"requirements.txt": "Django==5.2\nthis is not (a requirement\ngunicorn\n"}
    )
    assert deps.names() == {"django", "gunicorn"}
    assert len(warnings) == 1
    assert warnings[0].startswith("requirements.txt:2: 'this is not (a requirement' is not a")


def test_include_cycles_outside_paths_and_missing_files_are_warnings(tmp_path):
    deps, warnings = detect(
        tmp_path,
        {
            "requirements.txt": "-r a.txt\n-r ../../etc/passwd\n-r missing.txt\n",
            "a.txt": "Django==5.2\n-r b.txt\n",
            "b.txt": "-r a.txt\ngunicorn\n-c requirements.txt\n",
        },
    )
    assert deps.names() == {"django", "gunicorn"}
    assert deps.install_inputs == ("requirements.txt", "a.txt", "b.txt")
    assert any("points outside the repository" in w and ":2:" in w for w in warnings)
    assert any("missing.txt" in w and "does not exist" in w for w in warnings)


def test_constraint_file_pins_fill_resolved_versions(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "requirements.txt": "-c constraints.txt\nDjango>=5.2\n",
            "constraints.txt": "django==5.2.3\n",
        },
    )
    assert deps.find("django").resolved == "5.2.3"
    assert "constraints.txt" in deps.install_inputs


def test_pip_tools_compiled_txt_is_preferred_over_in(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "requirements/prod.in": "django\n",
            "requirements/prod.txt": "django==5.2.7\n    # via -r requirements/prod.in\n",
        },
    )
    assert deps.install_file == "requirements/prod.txt"
    assert deps.find("django").resolved == "5.2.7"


def test_tool_only_pyproject_does_not_make_a_package_manager(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "pyproject.toml": "[tool.ruff]\nline-length = 100\n[tool.black]\n",
            "requirements.txt": "Django==5.2\n",
        },
    )
    assert deps.manager == "pip"
    assert deps.files == ("requirements.txt",)


def test_netbox_layout_pinned_requirements_over_hatch_with_dynamic_deps(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "netbox/manage.py": "",
            "requirements.txt": "Django==6.0.8\npsycopg[c,pool]==3.3.4\n",
            "base_requirements.txt": "Django==6.0.*\npsycopg[c,pool]\n",
            "pyproject.toml": """
                [project]
                name = "netbox"
                dynamic = ["dependencies"]
                [project.optional-dependencies]
                ldap = ["django-auth-ldap"]
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"
                [tool.hatch.metadata.hooks.custom]
            """,
        },
        project_dir="netbox",
    )
    assert deps.manager == "pip"
    assert deps.install_file == "requirements.txt"
    assert deps.find("django").resolved == "6.0.8"
    assert deps.find("psycopg").extras == ("c", "pool")
    assert set(deps.files) == {"requirements.txt", "base_requirements.txt", "pyproject.toml"}
    assert "no Django in pyproject.toml" in whys(deps)


# --- Pipenv ------------------------------------------------------------------------------------

PIPFILE = """
[[source]]
url = "https://pypi.org/simple"
[packages]
django = "~=5.0"
gunicorn = "*"
psycopg = {version = ">=3.1", extras = ["binary"]}
thing = {git = "https://github.com/example/thing.git", ref = "main"}
[dev-packages]
pytest = "*"
[requires]
python_version = "3.11"
"""


def test_pipfile_with_lock_takes_exact_versions_from_the_default_section(tmp_path):
    lock = '{"_meta": {}, "default": {"django": {"version": "==5.0.9"}}, "develop": {}}'
    deps, _ = detect(tmp_path, {"Pipfile": PIPFILE, "Pipfile.lock": lock})
    assert deps.manager == "pipenv"
    assert deps.lockfile == "Pipfile.lock"
    assert deps.install_inputs == ("Pipfile", "Pipfile.lock")
    assert deps.names() == {"django", "gunicorn", "psycopg", "thing"}  # not pytest
    assert deps.find("django").specifier == "~=5.0"
    assert deps.find("django").resolved == "5.0.9"
    assert deps.find("django").line == 4
    assert deps.find("psycopg").extras == ("binary",)
    assert deps.find("thing").url == "git+https://github.com/example/thing.git@main"


def test_pipfile_without_lock_uses_the_pipenv_generated_pins(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "Pipfile": PIPFILE,
            "requirements.txt": "-i https://pypi.python.org/simple\n"
            "django==5.2.15; python_version >= '3.10'\ngunicorn==23.0.0\nasgiref==3.8.1\n",
        },
    )
    assert deps.manager == "pipenv"
    assert deps.lockfile is None
    assert deps.install_file == "requirements.txt"
    django = deps.find("django")
    assert (django.file, django.specifier, django.resolved) == ("Pipfile", "~=5.0", "5.2.15")
    assert deps.find("asgiref").resolved == "3.8.1"
    assert "there is no Pipfile.lock" in whys(deps)


def test_broken_pipfile_is_a_warning_and_requirements_are_used(tmp_path):
    deps, warnings = detect(
        tmp_path, {"Pipfile": "[packages\ndjango = '*'\n", "requirements.txt": "Django\n"}
    )
    assert deps.manager == "pip"
    assert any(w.startswith("Pipfile:1: is not valid TOML") for w in warnings)


# --- Poetry ------------------------------------------------------------------------------------

POETRY_LOCK = """
[[package]]
name = "Django"
version = "4.2.16"
[[package]]
name = "gunicorn"
version = "23.0.0"
[metadata]
lock-version = "2.0"
"""


def test_poetry1_in_parent_directory_with_caret_constraints_and_lock(tmp_path):
    deps, warnings = detect(
        tmp_path,
        {
            "shynet/manage.py": "",
            "pyproject.toml": """
                [tool.poetry]
                name = "shynet"
                [tool.poetry.dependencies]
                python = "^3.8"
                Django = "^4"
                gunicorn = "~20.1"
                psycopg2-binary = {version = "^2.9.2", python = ">=3.8"}
                celery = {version = "*", optional = true}
                [tool.poetry.dev-dependencies]
                pytest = "^7"
                [build-system]
                requires = ["poetry-core"]
                build-backend = "poetry.core.masonry.api"
            """,
            "poetry.lock": POETRY_LOCK,
        },
        project_dir="shynet",
    )
    assert warnings == []
    assert deps.manager == "poetry"
    assert deps.manager_version == "1"
    assert deps.lockfile == "poetry.lock"
    assert deps.install_inputs == ("pyproject.toml", "poetry.lock")
    assert deps.names() == {"django", "gunicorn", "psycopg2-binary"}  # no dev, no optional
    django = deps.find("django")
    assert SpecifierSet(django.specifier) == SpecifierSet(">=4,<5")
    assert (django.resolved, django.line) == ("4.2.16", 5)
    assert SpecifierSet(deps.find("gunicorn").specifier) == SpecifierSet(">=20.1,<20.2")
    assert deps.find("psycopg2-binary").marker == 'python_version >= "3.8"'
    assert deps.installs_project is False  # no shynet/__init__.py next to pyproject.toml


def test_poetry2_pep621_with_production_group_and_package_mode_false(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "site"
                requires-python = ">=3.12"
                dependencies = ["django (>=5.2,<6.0)"]
                [tool.poetry]
                package-mode = false
                [tool.poetry.group.prod.dependencies]
                gunicorn = "^23"
                [tool.poetry.group.dev.dependencies]
                pytest = "*"
            """,
            "poetry.lock": POETRY_LOCK,
        },
    )
    assert deps.manager == "poetry"
    assert deps.manager_version == "2"
    assert deps.groups == ("prod",)
    assert deps.names() == {"django", "gunicorn"}
    assert deps.installs_project is False
    assert "package-mode = false" in whys(deps)


def test_bad_poetry_constraint_is_a_warning(tmp_path):
    deps, warnings = detect(
        tmp_path,
        {"pyproject.toml": '[tool.poetry.dependencies]\ndjango = "^^banana"\n'},
    )
    assert deps.find("django").specifier == ""
    assert any("pyproject.toml:2:" in w and "^^banana" in w for w in warnings)


# --- uv, PDM, Hatch ----------------------------------------------------------------------------


def test_uv_lock_beats_exported_requirements_and_prod_group_is_included(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "djangoproject"
                requires-python = "==3.12.*"
                dependencies = [
                    "Django>=6.0",
                    "django-push @ git+https://github.com/brutasse/django-push.git@22fda99",
                ]
                [dependency-groups]
                common = ["redis>=5"]
                prod = [{include-group = "common"}, "gunicorn>=23", "psycopg[c]>=3.2"]
                dev = [{include-group = "prod"}, "coverage"]
                [tool.uv]
                package = false
            """,
            "uv.lock": """
                version = 1
                [[package]]
                name = "django"
                version = "6.0.1"
                [[package]]
                name = "djangoproject"
                source = { virtual = "." }
            """,
            "requirements/prod.txt": "django==6.0.1\ngunicorn==23.0.0\n",
            "requirements/dev.txt": "-r prod.txt\ncoverage==7.0\n",
        },
    )
    assert deps.manager == "uv"
    assert deps.lockfile == "uv.lock"
    assert deps.groups == ("prod",)
    assert deps.names() == {"django", "django-push", "redis", "gunicorn", "psycopg"}
    assert deps.find("django").resolved == "6.0.1"
    assert deps.find("psycopg").extras == ("c",)
    assert deps.installs_project is False
    assert "requirements/prod.txt" in deps.files
    assert "no Django in" not in whys(deps)
    assert "chosen over requirements/prod.txt (a lockfile is preferred)" in whys(deps)


def test_uv_project_with_build_system_and_package_installs_itself(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "my-site"
                dependencies = ["django"]
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"
                [tool.uv]
                dev-dependencies = ["pytest"]
            """,
            "my_site/__init__.py": "",
        },
    )
    assert deps.manager == "uv"
    assert deps.installs_project is True
    assert deps.names() == {"django"}


def test_pdm_with_lock(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                dependencies = ["Django==2.2.16", "psycopg2-binary==2.8.6"]
                requires-python = ">=3.8,<3.9"
                [tool.pdm.dev-dependencies]
                dev = ["pytest"]
                [build-system]
                requires = ["pdm-backend"]
                build-backend = "pdm.backend"
            """,
            "pdm.lock": '[[package]]\nname = "django"\nversion = "2.2.16"\n',
        },
    )
    assert deps.manager == "pdm"
    assert deps.lockfile == "pdm.lock"
    assert deps.names() == {"django", "psycopg2-binary"}
    assert deps.find("django").resolved == "2.2.16"


def test_hatch_without_lockfile_and_postgres_extra(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "site"
                dependencies = ["django>=5.2"]
                [project.optional-dependencies]
                postgres = ["psycopg[binary]"]
                docs = ["sphinx"]
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"
                [tool.hatch.build.targets.wheel]
                packages = ["site"]
            """,
        },
    )
    assert deps.manager == "hatch"
    assert deps.extras == ("postgres",)
    assert deps.names() == {"django", "psycopg"}
    assert deps.installs_project is True


# --- setuptools --------------------------------------------------------------------------------


def test_setup_py_install_requires_through_a_name_read_with_ast(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "setup.py": """
                from setuptools import setup
                REQUIRES = [
                    "Django>=4.2",
                    "gunicorn",
                ]
                setup(name="site", install_requires=REQUIRES)
            """,
        },
    )
    assert deps.manager == "setuptools"
    assert deps.installs_project is True
    assert deps.names() == {"django", "gunicorn"}
    assert (deps.find("django").file, deps.find("django").line) == ("setup.py", 3)


def test_setup_cfg_install_requires(tmp_path):
    deps, _ = detect(
        tmp_path,
        {"setup.cfg": "[metadata]\nname = site\n[options]\ninstall_requires =\n    Django>=5\n"},
    )
    assert deps.manager == "setuptools"
    assert deps.find("django").line == 5


def test_pyproject_setuptools_dynamic_dependencies_from_file(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "site"
                dynamic = ["dependencies"]
                [tool.setuptools.dynamic]
                dependencies = {file = ["deps/main.txt"]}
                [tool.setuptools]
                packages = ["site"]
                [build-system]
                requires = ["setuptools"]
                build-backend = "setuptools.build_meta"
            """,
            "deps/main.txt": "django>=5.2\n",
        },
    )
    assert deps.manager == "setuptools"
    assert deps.find("django").file == "deps/main.txt"
    assert deps.install_inputs == ("pyproject.toml", "deps/main.txt")
    assert deps.installs_project is True


# --- choosing, declares_django, hostile input --------------------------------------------------


def test_manifest_declaring_django_wins_over_a_nearer_one_that_does_not(tmp_path):
    deps, _ = detect(
        tmp_path,
        {
            "backend/manage.py": "",
            "backend/pyproject.toml": '[project]\nname = "x"\ndependencies = ["requests"]\n',
            "requirements.txt": "Django==5.2\n",
        },
        project_dir="backend",
    )
    assert deps.manager == "pip"
    assert deps.install_file == "requirements.txt"


def test_no_manifest_at_all(tmp_path):
    deps, _ = detect(tmp_path, {"manage.py": ""})
    assert deps.manager == "none"
    assert "declares dependencies" in whys(deps)


def test_declares_django_lists_every_manifest_with_its_line(tmp_path):
    diags = Diagnostics()
    tree = make_tree(
        tmp_path,
        {
            "requirements.txt": "gunicorn\nDjango>=5.2\n",
            "api/pyproject.toml": '[project]\nname="a"\ndependencies = [\n  "django~=5.2",\n]\n',
            "legacy/Pipfile": '[packages]\nDjango = "*"\n',
            "node_modules/x/requirements.txt": "Django\n",
            "flask/requirements.txt": "flask\n",
        },
    )
    found = {(e.file, e.line): e.why for e in declares_django(tree, diags)}
    assert found == {
        ("requirements.txt", 2): "requirements.txt line 2 declares Django>=5.2",
        ("api/pyproject.toml", 4): "api/pyproject.toml line 4 declares Django~=5.2",
        ("legacy/Pipfile", 2): "legacy/Pipfile line 2 declares Django",
    }


def test_hostile_files_do_not_crash(tmp_path):
    big = b"Django==5.2\n" + b"x" * 1000 + b"\n"
    files: dict[str, str | bytes] = {
        "pyproject.toml": "[project\n",
        "poetry.lock": b"\x00\x01binary",
        "requirements.txt": big * 3000,  # ~3 MB: read up to the 2 MB cap
        "requirements/prod.txt": "\ufeffDjango==5.2\n".encode("utf-16"),
        "setup.py": "def broken(:\n",
        "Pipfile.lock": "{not json",
        "Pipfile": '[packages]\ndjango = "*"\n',
    }
    deps, warnings = detect(tmp_path, files)
    assert deps.find("django") is not None
    assert any("pyproject.toml" in w and "TOML" in w for w in warnings)
    assert any("setup.py" in w and "syntax error" in w for w in warnings)
    assert any("larger than" in w for w in warnings)
    assert declares_django(LocalTree(tmp_path), Diagnostics())  # the same files, walked


def test_vcs_url_without_egg_is_named_after_the_repository_and_bare_url_warns(tmp_path):
    deps, warnings = detect(
        tmp_path,
        {
            "requirements.txt": "Django\n-e git+https://example.org/tool.git@main\nhttps://example.org/\n"
        },
    )
    assert deps.names() == {"django", "tool"}
    assert deps.find("tool").is_vcs
    assert any("requirements.txt:3:" in w and "#egg=name" in w for w in warnings)


def test_utf16_requirements_file_is_read(tmp_path):
    deps, _ = detect(tmp_path, {"requirements.txt": "Django==5.2.1\n".encode("utf-16")})
    assert deps.find("django").resolved == "5.2.1"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_requirements_parser_never_raises(text):
    parsed = parse_requirements_text(text, "requirements.txt")
    for line, message in parsed.problems:
        assert line >= 1 and message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("^~=<>!*|, .0123456789abrcpost-"))) | st.text())
def test_poetry_constraint_converter_never_raises(text):
    result = poetry_specifier(text)
    if result is not None:
        SpecifierSet(result)  # whatever it returns is valid PEP 440


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^4.2", ">=4.2,<5.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("~4.2", ">=4.2,<4.3"),
        ("4.2.*", "==4.2.*"),
        ("*", ""),
        ("5.2.1", "==5.2.1"),
        (">=3.2 <4", ">=3.2,<4"),
        ("^3.2 || ^4.0", ">=3.2"),
    ],
)
def test_poetry_constraints_become_pep440(poetry, pep440):
    assert SpecifierSet(poetry_specifier(poetry)) == SpecifierSet(pep440)
