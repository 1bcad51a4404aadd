"""Django management commands run at build time (compilemessages, collectstatic): the placeholder
environment they import the settings with, and the source files whose errors break them."""

from __future__ import annotations

import shlex

from generator import data
from generator.facts import DocumentedCommand, location
from generator.plan.context import _Context, _manage, _module_file
from generator.plan.contract import contract, env_prefix
from generator.plan.model import Instruction, _run

# The message detect/_read.py gives a Python file that does not parse.
_SYNTAX_ERROR = "syntax error"


def _broken_sources(ctx: _Context) -> None:
    """Log, as "warning" decisions, Python files that do not parse and what that breaks.

    The Dockerfile is still written (it is right for the project once the file is fixed), but a
    manage.py or settings module with a syntax error makes the management commands run at build
    time (compilemessages, collectstatic) fail the build.
    """
    facts = ctx.facts
    production = ctx.options.profile == "production"
    commands = []
    if production and facts.compilemessages:
        commands.append("compilemessages")  # the build stage runs first
    if production and _static_builds_run(ctx):
        commands.append("collectstatic")
    for warning in facts.warnings:
        if not (warning.file or "").endswith(".py") or _SYNTAX_ERROR not in warning.message:
            continue
        where = f"{warning.file} line {warning.line}" if warning.line else str(warning.file)
        detail = warning.message.removesuffix("; not read")
        if _loaded_by_manage(ctx, str(warning.file)) and commands:
            effect = (
                f"the build will fail at `{_manage(ctx)} {commands[0]}` until it is fixed "
                "(the Dockerfile is written for the fixed project)"
            )
            ctx.broken.append(f"{where} has a syntax error: this step fails until it is fixed.")
        elif _loaded_by_manage(ctx, str(warning.file)):
            effect = "the image builds, but Django will not start until it is fixed"
        else:
            effect = "the application fails where it imports this module until it is fixed"
        ctx.decide("warning", warning.file, warning.line, f"{where} {detail}: {effect}")


def _loaded_by_manage(ctx: _Context, path: str) -> bool:
    """manage.py itself, or a settings module it imports (read or not)."""
    s = ctx.facts.settings
    if path == ctx.facts.manage_py or path in s.settings_files:
        return True
    modules = (ctx.options.settings_module, s.production_settings_module, s.settings_module)
    return any(m and _module_file(m, (path,)) for m in modules)


def _dummy_env(ctx: _Context) -> list[tuple[str, str]]:
    """Build-only placeholder values for the env vars the settings need at import time."""
    return list(contract(ctx.facts).build_env)


def _dummy_env_prefix(ctx: _Context) -> str:
    return env_prefix(contract(ctx.facts).build_env)


def _command(ctx: _Context, command: str, comment: tuple[str, ...]) -> Instruction:
    """A management command on one RUN with the placeholders; a module the repository ships only
    as an example is copied into place for it and removed in the same RUN (never in the image)."""
    files = contract(ctx.facts).files
    if not files:
        return Instruction("RUN", (command,), comment)
    steps = []
    for f in files:
        filled = ", ".join(line.split(" = ", 1)[0] for line in f.overlay)
        ctx.decide(
            "runtime file",
            f.file,
            f.line,
            f"the settings import {f.repo_path}, which the repository ships only as "
            f"{f.repo_example}: the build copies the example there for its commands and removes "
            f"it; the container needs the real file at {f.path} (mount it)"
            + (
                f". The example leaves {filled} empty, which the settings refuse: the build's "
                "copy gets placeholders for them"
                if filled
                else ""
            ),
        )
        steps.append(f"cp {f.example} {f.path}")
        if f.overlay:
            lines = " ".join(shlex.quote(line) for line in f.overlay)
            steps.append(f"printf '%s\\n' {lines} >> {f.path}")
    return _run(
        *steps,
        command,
        "rm -f " + " ".join(f.path for f in files),
        comment=comment,
    )


def _compilemessages(ctx: _Context, settings_module: str | None) -> Instruction:
    locales = ", ".join(ctx.facts.settings.locale_dirs) or "the locale directories"
    ctx.decide(
        "compilemessages",
        ctx.facts.settings.locale_dirs[0] if ctx.facts.settings.locale_dirs else None,
        None,
        f"translations found ({locales}): compiled in the build stage, which has gettext; "
        "the runtime stage copies the source with the .mo files and needs no gettext",
    )
    # The production settings: the default module may import dev-only packages not installed here.
    settings = f"DJANGO_SETTINGS_MODULE={settings_module} " if settings_module else ""
    return _command(
        ctx,
        f"{settings}{_dummy_env_prefix(ctx)}{_manage(ctx)} compilemessages",
        ("Compile translations (.po -> .mo) here, where gettext is installed.", *ctx.broken),
    )


def _collectstatic(ctx: _Context) -> Instruction:
    facts = ctx.facts
    s = facts.settings
    if not facts.collectstatic:
        ctx.decide(
            "static", None, None, "collectstatic is not run: static files are not configured"
        )
        return _noop_collectstatic(ctx)
    if facts.remote_storage:
        ctx.decide(
            "static",
            None,
            None,
            f"collectstatic is skipped at build: static files go to {s.storage}, which needs "
            "credentials; run it at release time",
        )
        return _noop_collectstatic(ctx, remote=True)
    if facts.committed_static:
        return _committed_static(ctx)
    if not facts.whitenoise and ctx.options.profile == "production":
        _nothing_serves_static(ctx)
    dummies = _dummy_env(ctx)
    ctx.decide(
        "static",
        None,
        None,
        "collectstatic --noinput at build time with build-only placeholders for "
        + ", ".join(k for k, _ in dummies)
        + " given to that RUN only (nothing persists in the image)",
    )
    return _command(
        ctx,
        f"{_dummy_env_prefix(ctx)}{_manage(ctx)} collectstatic --noinput",
        (
            "Collect static files into the image. The values on this line are placeholders",
            "that let the settings import; they exist only for this command.",
            *ctx.broken,
        ),
    )


def _nothing_serves_static(ctx: _Context) -> None:
    """A warning when the collected files reach the image but nothing in it answers for them:
    Django serves no static files with DEBUG off, and gunicorn/uvicorn serve none at all, so every
    page's CSS and JS would be 404 unless something in front serves STATIC_ROOT."""
    s = ctx.facts.settings
    url = s.static_url if s.static_url and not s.static_url.startswith("from ") else "STATIC_URL"
    ctx.decide(
        "warning",
        *s.cited("static_root"),
        f"nothing in the image serves {url}: the project does not use WhiteNoise, and Django "
        "serves no static files with DEBUG off. The files are collected into STATIC_ROOT in the "
        "image; serve them from a web server or CDN in front (or uWSGI's static-map), or add "
        "whitenoise to the dependencies and 'whitenoise.middleware.WhiteNoiseMiddleware' after "
        "SecurityMiddleware (whitenoise.readthedocs.io/en/stable/django.html)",
    )


def _committed_static(ctx: _Context) -> Instruction:
    """No collectstatic over a collected STATIC_ROOT the repository commits with its manifest.

    Why keep the tree rather than collect again: the manifest is the project's own build (its
    platforms are told DISABLE_COLLECTSTATIC), and the tree holds files no finder in the image
    can find (the output of an asset build the repository does not script). collectstatic would
    rewrite the manifest from what it finds and drop those entries: Django then answers 500
    "Missing staticfiles manifest entry". Merging the two manifests is no safer: post-processing
    fails on CSS that references a file only the committed tree has. `COPY .` brings the tree.
    """
    committed = ctx.facts.committed_static
    assert committed is not None
    disabled = "; ".join(f"{e.file}:{e.line}" for e in committed.disabled_by)
    entries = f"{committed.entries} entr" + ("y" if committed.entries == 1 else "ies")
    ctx.decide(
        "static",
        committed.manifest,
        None,
        f"collectstatic is not run: STATIC_ROOT {committed.root}/ is committed with its manifest "
        f"{committed.manifest} ({entries}, read by {committed.storage}), "
        "the project's own collected files"
        + (f", and the project disables collectstatic ({disabled})" if disabled else "")
        + ". Collecting again in the image would rewrite the manifest from the sources it can "
        "find and drop the entries only the project's asset build makes (HTTP 500 \"Missing "
        'staticfiles manifest entry"). The image serves the committed tree as it is; re-run '
        "collectstatic and commit the result when the assets change",
    )
    # With the tree served as it is, detection builds no frontend: each one found is reported.
    for skipped in (e for e in ctx.facts.evidence if e.fact == "frontend"):
        ctx.decide("frontend", skipped.file, skipped.line, f"not built: {skipped.why}")
    return Instruction(
        "",
        (),
        (
            f"collectstatic is not run: STATIC_ROOT {committed.root}/ is committed with its "
            f"manifest ({committed.manifest}),",
            "the project's own collected files; `COPY` brought them in as they are.",
        ),
    )


def _static_builds_run(ctx: _Context) -> bool:
    """Whether static files are built into the image (collectstatic runs at build)."""
    facts = ctx.facts
    return facts.collectstatic and not facts.remote_storage and facts.committed_static is None


def _asset_commands(ctx: _Context) -> tuple[list[Instruction], list[Instruction]]:
    """Python-side asset steps the installed apps call for: (before collectstatic, after it).

    The table (data/static_commands.toml) names each app's documented static build command:
    django-sass-processor's `compilescss`, django-compressor's offline `compress` (django-libsass
    runs inside it as a precompiler), django-statici18n, django-js-reverse. They import the settings
    like collectstatic, so they get the same build-only placeholders.
    """
    if not _static_builds_run(ctx):
        return [], []
    s = ctx.facts.settings
    apps = {app.split(".apps.")[0] for app in s.installed_apps}
    steps: dict[str, list[Instruction]] = {"before": [], "after": []}
    for row in data.load("static_commands.toml")["command"]:
        if row["app"] not in apps:
            continue
        requires = row.get("requires")
        if requires and not getattr(s, requires, False):
            continue
        ctx.decide(
            "static",
            *s.cited(*([requires] if requires else []), "installed_apps"),
            f"`{row['command']}` {row['when']} collectstatic: {row['why']}",
        )
        steps[row["when"]].append(
            _command(
                ctx,
                f"{_dummy_env_prefix(ctx)}{_manage(ctx)} {row['command']}",
                (row["comment"],),
            )
        )
    for command in ctx.facts.documented_commands:
        if _documented_runs(ctx, command, apps):
            args = "".join(" " + shlex.quote(a) for a in command.args)
            steps[command.when].append(
                _command(
                    ctx,
                    f"{_dummy_env_prefix(ctx)}{_manage(ctx)} {command.name}{args}",
                    (
                        f"`{command.name}` as {_where(command)} runs it, {command.when} "
                        "collectstatic.",
                    ),
                )
            )
    return steps["before"], steps["after"]


def _documented_runs(ctx: _Context, command: DocumentedCommand, apps: set[str]) -> bool:
    """Whether a command the project's scripts run beside collectstatic also runs in the image
    (a static-build step), with the reason in the decision log either way."""
    table = data.load("static_commands.toml")
    name = command.name
    where = _where(command)
    row = next((r for r in table["command"] if r["command"].split()[0] == name), None)
    never = next((r for r in table["never"] if r["command"] == name), None)
    requires = row.get("requires") if row else None
    if name == "compilemessages":
        return False  # its own step runs it where there are translations
    if row is not None and row["app"] not in apps:
        why = f"it is {row['app']}'s command, and {row['app']} is not in INSTALLED_APPS"
    elif row is not None and requires and not getattr(ctx.facts.settings, requires, False):
        why = f"the settings do not set {requires} ({row['app']}: {row['why']})"
    elif row is not None:
        return False  # the table's row runs it, with its own decision
    elif never is not None:
        why = never["why"]
    elif command.defined_in and command.needs:
        why = f"{command.defined_in} is not a static-build step: {command.needs}"
    elif command.defined_in and command.writes:
        ctx.decide(
            "static",
            command.file,
            command.line,
            f"`{name}` {command.when} collectstatic, as {where} runs it: {command.defined_in} "
            f"builds static files ({command.writes}) and shows no sign of needing a database or "
            "a service; it gets collectstatic's build-only placeholders",
        )
        return True
    elif command.defined_in:
        why = f"nothing in {command.defined_in} shows that it writes static files"
    else:
        why = (
            "an installed package provides it and generator/data/static_commands.toml has no "
            "row for it: whether it needs a database or a service is not known"
        )
    ctx.decide(
        "static", command.file, command.line, f"`{name}` ({where}) is not run at build: {why}"
    )
    return False


def _where(command: DocumentedCommand) -> str:
    return f"{command.source} in {location(command.file, command.line)}"


def _noop_collectstatic(ctx: _Context, remote: bool = False) -> Instruction:
    # Keep a visible note in the Dockerfile instead of a silent omission.
    if remote:
        why = (
            "collectstatic is not run here: STORAGES sends static files to a remote backend that",
            "needs credentials. Run `python manage.py collectstatic --noinput` at release time.",
        )
    else:
        why = ("collectstatic is not run: django.contrib.staticfiles/STATIC_ROOT are not set up.",)
    return Instruction("", (), why)  # a comment only: the template prints no instruction
