"""Option install-groups / install-extras: a dependency group or extra installed at build time too
(an app whose start imports a dev-only package, such as a plugin importing pytest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_facts import deps, facts

from generator.facts import Diagnostics
from generator.options import Options, OptionsError, load_options
from generator.plan import PlanError, plan
from generator.render import render_dockerfile


def dockerfile(manager: str, declared=("dev", "prod"), **options) -> str:
    d = deps(manager, declared_groups=declared, declared_extras=("s3",))
    return render_dockerfile(plan(facts(dependencies=d), Options(**options)))


def test_uv_installs_an_asked_for_dev_group_without_no_dev_overriding_it():
    text = dockerfile("uv", install_groups=("dev",))
    assert "uv sync --frozen --no-default-groups --group dev --no-install-project" in text
    assert "--no-dev" not in text


def test_uv_keeps_no_dev_for_other_groups_and_installs_extras():
    text = dockerfile("uv", install_groups=("prod",), install_extras=("s3",))
    assert "--no-dev --no-default-groups --group prod --extra s3" in text


def test_poetry_and_pdm_name_the_group():
    poetry = dockerfile("poetry", install_groups=("dev",))
    assert "poetry export --only main,dev --format requirements.txt" in poetry
    pdm = dockerfile("pdm", install_groups=("dev",))
    # PDM refuses --prod together with a dependency group.
    assert " -G dev" in pdm and "--prod" not in pdm


def test_a_pip_built_project_installs_the_group_with_a_pip_that_knows_groups():
    text = dockerfile("hatch", install_groups=("dev",), python_version="3.12")
    assert "pip install pip==" in text and "&& pip install --group=dev" in text
    build = text.split(" AS runtime")[0]
    assert build.index("COPY . .") < build.index("--group=dev")


def test_the_decision_log_names_the_option():
    d = deps("uv", declared_groups=("dev",), declared_extras=())
    p = plan(facts(dependencies=d), Options(install_groups=("dev",)))
    assert any("option install-groups" in e.why and "dev" in e.why for e in p.decisions)
    assert "dev" in p.groups


def test_an_unknown_group_fails_before_the_build_naming_what_exists():
    with pytest.raises(PlanError, match=r"tests is not a dependency group .*declares: dev, prod"):
        dockerfile("uv", install_groups=("tests",))


def test_requirements_files_have_no_groups():
    with pytest.raises(PlanError, match="has no dependency groups"):
        render_dockerfile(plan(facts(), Options(install_groups=("dev",))))


def test_cli_flag_config_key_and_bad_names(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.django-dockerfile]\ninstall-groups = ["plugins"]\ninstall-extras = "s3, redis"\n'
    )
    options = load_options(tmp_path, {}, Diagnostics())
    assert options.install_groups == ("plugins",) and options.install_extras == ("s3", "redis")
    cli = load_options(tmp_path, {"install_groups": ["dev,test"]}, Diagnostics())
    assert cli.install_groups == ("dev", "test")
    with pytest.raises(OptionsError, match="--install-group"):
        load_options(tmp_path, {"install_groups": ["dev;rm"]}, Diagnostics())
