"""Management commands a project documents for its static build (a Procfile line, a Makefile
target, a package.json script, build.sh) run in the image beside collectstatic when they are
static-build steps, and are reported, not run, when they need a database or cannot be judged."""

from __future__ import annotations

import json

from test_frontend import django

from generator.detect import detect_path
from generator.options import Options
from generator.plan import plan
from generator.render import render_dockerfile

# A command of the project's own that writes a file into a STATICFILES_DIRS entry.
ICONS = (
    "from django.conf import settings\n"
    "from django.core.management.base import BaseCommand\n\n\n"
    "class Command(BaseCommand):\n"
    "    def handle(self, *args, **options):\n"
    "        out = settings.STATICFILES_DIRS[0] / 'icons.css'\n"
    "        out.write_text('.icon {}')\n"
)
# One that reads the database: a release step, not a build step.
REPORT = (
    "from django.core.management.base import BaseCommand\n"
    "from shop.models import Product\n\n\n"
    "class Command(BaseCommand):\n"
    "    def handle(self, *args, **options):\n"
    "        print(Product.objects.count())\n"
)
# One that warms the cache: a service the build has not.
WARM = (
    "from django.core.cache import cache\n"
    "from django.core.management.base import BaseCommand\n\n\n"
    "class Command(BaseCommand):\n"
    "    def handle(self, *args, **options):\n"
    "        cache.set('warm', 1)\n"
)
STATIC_DIRS = "STATICFILES_DIRS = [BASE_DIR / 'assets']\n"


def app(name: str, commands: dict[str, str]) -> dict[str, str]:
    files = {f"{name}/__init__.py": "", f"{name}/management/__init__.py": ""}
    files[f"{name}/management/commands/__init__.py"] = ""
    for command, text in commands.items():
        files[f"{name}/management/commands/{command}.py"] = text
    return files


def generate(make_tree, files: dict[str, str], **options: str) -> tuple[str, list[str], object]:
    """(the Dockerfile, the decision log lines, the facts) for FILES."""
    facts = detect_path(make_tree(files))
    built = plan(facts, Options(**options))
    return render_dockerfile(built), [d.why for d in built.decisions], facts


def run_line(text: str, command: str) -> str:
    return next(line for line in text.splitlines() if f"manage.py {command}" in line)


def test_procfile_release_line_runs_its_static_step_and_reports_the_rest(make_tree):
    text, decisions, facts = generate(
        make_tree,
        {
            **django(STATIC_DIRS, apps=("shop",)),
            "assets/site.css": "body {}\n",
            **app("shop", {"build_icons": ICONS, "sales_report": REPORT, "warm_cache": WARM}),
            "Procfile": (
                "web: gunicorn mysite.wsgi\n"
                "release: python manage.py migrate --noinput && python manage.py build_icons"
                " && python manage.py collectstatic --noinput && python manage.py sales_report"
                " && python manage.py warm_cache\n"
            ),
        },
    )
    line = run_line(text, "build_icons")
    assert line.startswith("RUN SECRET_KEY=build-only-not-secret")  # collectstatic's placeholders
    assert text.index("manage.py build_icons") < text.index("manage.py collectstatic")
    for never in ("migrate", "sales_report", "warm_cache"):
        assert f"manage.py {never}" not in text
    log = "\n".join(decisions)
    assert (
        "`build_icons` before collectstatic, as Procfile process 'release' in Procfile:2 runs "
        "it: shop/management/commands/build_icons.py builds static files (it uses "
        "STATICFILES_DIRS (shop/management/commands/build_icons.py:7))"
    ) in log
    assert (
        "`migrate` (Procfile process 'release' in Procfile:2) is not run at build: it changes"
        in log
    )
    assert (
        "`sales_report` (Procfile process 'release' in Procfile:2) is not run at build: "
        "shop/management/commands/sales_report.py is not a static-build step: it imports "
        "shop.models (shop/management/commands/sales_report.py:2): it reads or writes the database"
    ) in log
    assert "warm_cache.py:1): it talks to a service" in log
    assert [c.name for c in facts.documented_commands] == [
        "migrate",
        "build_icons",
        "sales_report",
        "warm_cache",
    ]


def test_makefile_target_with_variables_and_prerequisites(make_tree):
    makefile = (
        "PYTHON ?= python\n"
        "MANAGE = $(PYTHON) manage.py\n\n"
        ".PHONY: static css\n"
        "css:\n"
        "\t@$(MANAGE) compilescss\n"
        "static: css\n"
        "\t$(MANAGE) build_icons --minify \\\n"
        "\t\t--verbosity 0\n"
        "\t$(MANAGE) collectstatic --noinput\n"
        "\t-$(MANAGE) compress --force > compress.log 2>&1\n"
    )
    text, decisions, _ = generate(
        make_tree,
        {
            **django(
                STATIC_DIRS + "COMPRESS_OFFLINE = True\n",
                apps=("shop", "sass_processor", "compressor"),
            ),
            "assets/site.css": "",
            **app("shop", {"build_icons": ICONS}),
            "Makefile": makefile,
        },
    )
    assert run_line(text, "build_icons").endswith("manage.py build_icons --minify --verbosity 0")
    # The table's own rows run compilescss and compress once each, where they belong.
    assert text.count("manage.py compilescss") == 1
    assert text.count("manage.py compress --force") == 1
    order = [text.index(f"manage.py {c}") for c in ("compilescss", "build_icons", "collectstatic")]
    assert order == sorted(order)
    assert any("Makefile target 'static' in Makefile:8" in d for d in decisions)


def test_a_documented_command_of_an_app_not_installed_or_not_enabled_is_not_run(make_tree):
    text, decisions, _ = generate(
        make_tree,
        {
            **django(STATIC_DIRS, apps=("compressor",)),
            "assets/site.css": "",
            "build.sh": (
                "#!/usr/bin/env bash\nset -o errexit\npip install -r requirements.txt\n"
                "python manage.py compilescss\npython manage.py collectstatic --no-input\n"
                "python manage.py compress\n"
            ),
        },
    )
    assert "compilescss" not in text and "manage.py compress" not in text
    log = "\n".join(decisions)
    assert (
        "`compilescss` (build script in build.sh:4) is not run at build: it is sass_processor's "
        "command, and sass_processor is not in INSTALLED_APPS"
    ) in log
    assert (
        "`compress` (build script in build.sh:6) is not run at build: the settings do not set"
        in log
    )


def test_package_json_script_runs_a_command_after_collectstatic_with_its_arguments(make_tree):
    writer = ICONS.replace(
        "out.write_text('.icon {}')", "open(options['out'], 'w').write('{}')"
    ).replace("settings.STATICFILES_DIRS[0] / 'icons.css'", "None")
    package = {
        "private": True,
        "scripts": {
            "build": "webpack",
            "release": "npm run build && python manage.py collectstatic --noinput"
            " && python manage.py write_manifest --out staticfiles/manifest.json",
        },
    }
    text, decisions, _ = generate(
        make_tree,
        {
            **django(STATIC_DIRS, apps=("shop",)),
            "assets/site.css": "",
            **app("shop", {"write_manifest": writer}),
            "package.json": json.dumps(package, indent=2),
        },
    )
    line = run_line(text, "write_manifest")
    assert line.endswith("manage.py write_manifest --out staticfiles/manifest.json")
    assert text.index("manage.py collectstatic") < text.index("manage.py write_manifest")
    assert any(
        "(it writes files (shop/management/commands/write_manifest.py:8))" in d for d in decisions
    )


def test_commands_that_cannot_be_judged_are_reported_not_run(make_tree):
    text, decisions, _ = generate(
        make_tree,
        {
            **django(STATIC_DIRS, apps=("shop",)),
            "assets/site.css": "",
            **app("shop", {"noop": "from django.core.management.base import BaseCommand\n"}),
            "Procfile": (
                "release: ./manage.py spectacular --file schema.yml; ./manage.py noop;"
                " ./manage.py collectstatic --noinput\n"
            ),
        },
    )
    assert "spectacular" not in text and "manage.py noop" not in text
    log = "\n".join(decisions)
    assert (
        "`spectacular` (Procfile process 'release' in Procfile:1) is not run at build: an installed package provides it"
        in log
    )
    assert "nothing in shop/management/commands/noop.py shows that it writes static files" in log


def test_only_sequences_that_collect_static_files_count(make_tree):
    text, _, facts = generate(
        make_tree,
        {
            **django(STATIC_DIRS, apps=("shop",)),
            "assets/site.css": "",
            **app("shop", {"build_icons": ICONS}),
            "Procfile": "release: python manage.py migrate && python manage.py build_icons\n",
        },
    )
    assert facts.documented_commands == ()
    assert "build_icons" not in text


def test_a_command_that_is_not_a_plain_word_is_warned_about_and_not_run(make_tree):
    text, _, facts = generate(
        make_tree,
        {
            **django(STATIC_DIRS, apps=("shop",)),
            "assets/site.css": "",
            **app("shop", {"build_icons": ICONS}),
            "Procfile": (
                "release: python manage.py build_icons '$(touch /pwned)' && "
                "python manage.py collectstatic --noinput\n"
            ),
        },
    )
    assert "pwned" not in text and "build_icons" not in text
    assert any(
        w.file == "Procfile"
        and w.line == 1
        and "is not a plain word: not run at build" in w.message
        for w in facts.warnings
    )


def test_scripts_and_targets_that_reference_each_other_are_read_once_each(make_tree):
    """`run-s '*'` in every script and Makefile targets all needing each other: each script and
    target is read once (as npm and make run them), not once per path through the graph."""
    scripts = {f"s{i}": "run-s '*' && python manage.py collectstatic" for i in range(60)}
    scripts["s7"] = "python manage.py build_icons"
    makefile = "".join(
        f"t{i}: {' '.join(f't{j}' for j in range(12))}\n\tpython manage.py collectstatic\n"
        for i in range(60)
    )
    _, _, facts = generate(
        make_tree,
        {
            **django(STATIC_DIRS, apps=("shop",)),
            "assets/site.css": "",
            **app("shop", {"build_icons": ICONS}),
            "package.json": json.dumps({"private": True, "scripts": scripts}),
            "Makefile": makefile,
        },
    )
    assert [(c.name, c.when, c.file) for c in facts.documented_commands] == [
        ("build_icons", "before", "package.json")
    ]
