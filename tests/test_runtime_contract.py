"""The runtime contract end to end: placeholders by kind and form on the build's RUN lines only,
the same list in the Dockerfile comment, the decision log, the job summary, the PR body and the
CLI's `docker run` line (issue 10, classes 5 and 6)."""

from __future__ import annotations

import shlex
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from plan_facts import facts

from generator.core import generate
from generator.facts import EnvNeed, ExampleModule
from generator.options import Options
from generator.plan import plan
from generator.plan.contract import run_command
from generator.render import render_dockerfile
from generator.summary import RunReport, job_summary, pr_body

FIXTURES = Path(__file__).parent / "fixtures"


def with_needs(*needs: EnvNeed, examples: tuple[ExampleModule, ...] = ()):
    f = facts()
    return replace(f, settings=replace(f.settings, env_needs=needs, example_modules=examples))


def need(name: str, kind: str = "str", form: str | None = None) -> EnvNeed:
    return EnvNeed(name, kind, "mysite/settings.py", 7, f"{name} has no default", form)


def collectstatic_line(text: str) -> str:
    return next(ln for ln in text.splitlines() if "collectstatic --noinput" in ln)


@pytest.mark.parametrize(
    ("n", "assignment"),
    [
        (need("DEBUG", "bool"), "DEBUG=False"),
        (need("DEBUG", "int"), "DEBUG=0"),
        (need("WORKERS", "int"), "WORKERS=1"),
        (need("HOSTS", "list"), "HOSTS=localhost"),
        (need("CSRF_TRUSTED_ORIGINS", "list"), "CSRF_TRUSTED_ORIGINS=http://localhost"),
        (need("FEATURES", "json"), "FEATURES='{}'"),
        (need("DATABASE_URL", "db"), "DATABASE_URL=sqlite:////tmp/build.sqlite3"),
        (
            need("DATABASE_URL", "str", "postgres"),
            "DATABASE_URL=postgres://build:build@localhost:5432/build",
        ),
        (need("CACHE_URL", "cache"), "CACHE_URL=locmem://"),
        (need("EMAIL_URL", "email"), "EMAIL_URL=consolemail://"),
        (need("HOMEPAGE", "url"), "HOMEPAGE=http://localhost"),
        # sentry_sdk.init() refuses any text that is not a DSN; an empty one turns Sentry off.
        (need("SENTRY_DSN", "url"), "SENTRY_DSN=''"),
        (need("SENTRY_DSN"), "SENTRY_DSN=''"),
        (need("MEDIA_DIR", "path"), "MEDIA_DIR=/tmp"),
        (need("SITE_NAME"), "SITE_NAME=build-placeholder"),
        (need("lower_case_key"), "lower_case_key=build-placeholder"),
    ],
)
def test_each_need_gets_a_placeholder_of_its_kind_on_the_run_line_only(n, assignment) -> None:
    text = render_dockerfile(plan(with_needs(n), Options()))
    assert assignment in collectstatic_line(text)
    for line in text.splitlines():
        if line.startswith(("ENV", "ARG", "    ")) and "=" in line:
            assert not line.lstrip().startswith(assignment), line


def test_a_settings_selector_is_set_by_env_in_the_image_and_on_the_build_lines() -> None:
    # Which settings branch runs is the image's own choice (its build ran against it), a
    # constant and no secret: ENV, so `docker run IMAGE` needs no -e for it.
    f = with_needs(need("IN_DOCKER", "choice", "1"), need("DEBUG", "bool"))
    text = render_dockerfile(plan(f, Options()))
    assert "    IN_DOCKER=1 \\" in text.split("FROM", 2)[2]  # the runtime stage's ENV block
    assert "IN_DOCKER=1" in collectstatic_line(text)
    assert "#   IN_DOCKER (set by ENV to 1): IN_DOCKER has no default" in text
    assert run_command(f, "app") == "docker run --rm -p 8000:8000 -e DEBUG=False app"


def test_the_contract_is_a_dockerfile_comment_and_a_decision() -> None:
    f = with_needs(need("DEBUG", "bool"), need("DATABASE_URL", "str", "postgres"))
    p = plan(f, Options())
    text = render_dockerfile(p)
    assert "# Runtime contract:" in text
    assert "#   DEBUG (bool): DEBUG has no default [mysite/settings.py:7]" in text
    contract = [d for d in p.decisions if d.fact == "runtime env"]
    assert [d.file for d in contract] == ["mysite/settings.py"] * 2
    assert "DATABASE_URL (str) must be set when the container starts" in contract[1].why


def test_no_needs_no_comment_block() -> None:
    assert "Runtime contract" not in render_dockerfile(plan(facts(), Options()))


def test_example_module_is_copied_for_the_command_and_removed_in_the_same_run() -> None:
    module = ExampleModule(
        "mysite/configuration.py", "mysite/configuration_example.py", "mysite/settings.py", 3
    )
    text = render_dockerfile(plan(with_needs(examples=(module,)), Options()))
    run = text[text.index("RUN cp /app/mysite/configuration_example.py") :]
    run = run[: run.index("\n\n")]
    assert "&& rm -f /app/mysite/configuration.py" in run
    assert "collectstatic --noinput" in run
    assert "#   /app/mysite/configuration.py: the settings import it" in text


def test_run_command_lists_examples_and_quotes_values() -> None:
    module = ExampleModule("a/configuration.py", "a/configuration_example.py", "a/settings.py", 3)
    f = with_needs(
        need("DEBUG", "bool"), need("DATABASE_URL", "str", "postgres"), examples=(module,)
    )
    line = run_command(f, "shop")
    argv = shlex.split(line.replace("$PWD", "/here"))
    assert argv[:5] == ["docker", "run", "--rm", "-p", "8000:8000"]
    assert "DEBUG=False" in argv and "DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME" in argv
    assert "/here/configuration.py:/app/a/configuration.py:ro" in argv
    assert argv[-1] == "shop"


def test_summary_and_pr_body_carry_the_contract() -> None:
    f = with_needs(need("DEBUG", "bool"))
    report = RunReport(mode="generate", project=".", facts=f)
    for text in (job_summary(report), pr_body("Intro", report)):
        assert "| `DEBUG` | bool | DEBUG has no default | `mysite/settings.py:7` |" in text
        assert "docker run --rm -p 8000:8000 -e DEBUG=False IMAGE" in text
    empty = RunReport(mode="generate", project=".", facts=facts())
    assert "need no environment variable" in job_summary(empty)


def test_hostile_names_and_values_never_reach_the_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "manage.py").write_text(
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
    )
    (tmp_path / "requirements.txt").write_text("Django>=5.2\n")
    (tmp_path / "proj/__init__.py").write_text("")
    (tmp_path / "proj/settings.py").write_text(
        textwrap.dedent(
            """\
            import os
            import environ
            env = environ.Env()
            INSTALLED_APPS = ["django.contrib.staticfiles"]
            STATIC_ROOT = "static"
            A = env.bool("OK_NAME")
            B = env("X$(curl evil.invalid)")
            C = os.environ["Y\\nRUN curl evil.invalid"]
            MODE = os.environ["MODE"]
            if MODE == "prod; curl evil.invalid":
                from .prod import *
            """
        )
    )
    generated = generate(tmp_path)
    text = generated.files["Dockerfile"]
    assert "evil" not in text
    assert "OK_NAME=False" in collectstatic_line(text)
    assert "evil" not in run_command(generated.facts)


def test_cli_prints_the_run_line_from_the_fixture() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "detect",
            "--run-command",
            str(FIXTURES / "env_required"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == (
        "docker run --rm -p 8000:8000 -e DEBUG=False "
        "-e DJANGO_SECRET_KEY=change-me-to-a-random-string-of-50-characters-or-more "
        "-e ALLOWED_HOSTS=localhost -e DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME IMAGE"
    )


def test_generate_prints_the_run_line(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(FIXTURES / "config_example", tmp_path / "p")
    err = subprocess.run(
        [sys.executable, "-m", "generator", str(tmp_path / "p"), "--stdout", "--name", "inv"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert (
        'docker run --rm -p 8000:8000 -v "$PWD/configuration.py:/app/inventory/configuration.py:ro" inv'
        in err
    )


def test_sqlite_fallback_needs_no_database_and_gets_a_writable_directory(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "manage.py").write_text(
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
    )
    (tmp_path / "requirements.txt").write_text("Django>=5.2\ndjango-environ\n")
    (tmp_path / "proj/__init__.py").write_text("")
    (tmp_path / "proj/settings.py").write_text(
        textwrap.dedent(
            """\
            import environ
            env = environ.Env()
            SECRET_KEY = env("SECRET_KEY")
            INSTALLED_APPS = ["django.contrib.staticfiles"]
            STATIC_ROOT = "static"
            DATABASES = {"default": env.db("DATABASE_URL", default="sqlite:///db.sqlite3")}
            """
        )
    )
    generated = generate(tmp_path)
    assert [n.name for n in generated.facts.settings.env_needs] == ["SECRET_KEY"]
    assert "-e DATABASE_URL" not in run_command(generated.facts)
    text = generated.files["Dockerfile"]
    assert "chmod 1775 /app" in text  # the SQLite file and its journal can be created there
