"""The Python release of the base image, and the settings module the image runs with."""

from __future__ import annotations

from generator.plan.context import _Context, _module_file, _split_where
from generator.plan.model import PlanError


def _python(ctx: _Context) -> tuple[str, str, str]:
    """(ARG default, minor, comment naming the source)."""
    from generator.detect.python_version import newest_patch

    chosen = ctx.options.python_version
    if chosen:
        source = "--python-version / [tool.django-dockerfile] python-version"
        _check_django_supports(ctx, ".".join(chosen.split(".")[:2]))
    elif ctx.facts.python:
        chosen, source = ctx.facts.python.version, ctx.facts.python.source
    else:
        raise PlanError(
            "no Python version could be chosen for this project; pass --python-version 3.12 "
            "(or set python-version in [tool.django-dockerfile])"
        )
    parts = chosen.split(".")
    minor = ".".join(parts[:2])
    if len(parts) >= 3 and ctx.options.python_version:
        # An explicit patch from the user is a deliberate choice: keep it.
        version = chosen
        why = f"Python {version} as configured ({source})"
    else:
        try:
            version = newest_patch(minor)
        except ValueError as exc:
            raise PlanError(f"Python {minor} from {source}: {exc}") from None
        why = f"Python {minor} from {source}; {version} is its newest patch release"
        if len(parts) >= 3 and chosen != version:
            why += f" (the project pins {chosen}: same minor, newer patch for security fixes)"
    ctx.decide("python", *_split_where(source), why)
    comment = f"Python {minor} from {source}; {version} is the newest {minor} patch release."
    return version, minor, comment


def _base_image(ctx: _Context, python_version: str, minor: str) -> tuple[str, str]:
    """(FROM image, tag variant): the official image of that Python, slim on the newest Debian
    release it ships unless a variant is configured; pinned to a digest when one is given."""
    options = ctx.options
    variant = options.base_variant or f"slim-{_codename(minor)}"
    base = f"python:${{PYTHON_VERSION}}-{variant}"
    if options.digest:
        digest = options.digest if ":" in options.digest else f"sha256:{options.digest}"
        base += f"@{digest}"
        ctx.decide("base image", None, None, f"FROM is pinned to digest {digest}")
    ctx.decide("base image", None, None, f"python:{python_version}-{variant}: {_describe(variant)}")
    return base, variant


def _describe(variant: str) -> str:
    """What the official image with this tag suffix is (Docker Hub library/python)."""
    if variant.startswith("alpine"):
        return "the official Alpine image"
    parts = variant.split("-")
    suite = next((p for p in parts if p != "slim"), None)
    where = f" on Debian {suite}" if suite else ""
    if "slim" in parts:
        return f"the official slim image{where}"
    return f"the official full image{where} (compilers and headers included: larger than slim)"


def _check_django_supports(ctx: _Context, minor: str) -> None:
    """A configured Python must be one detection could choose for the project's Django (one rule,
    detect.python_version.django_allows): a supported minor, or, when the official image
    publishes none of those, the nearest published one, with a warning."""
    from generator.detect.python_version import django_allows

    if ctx.facts.django_version is None:
        return
    check = django_allows(ctx.facts.django_version, minor)
    if check.ok and check.fallback:
        ctx.decide(
            "warning",
            *_split_where(ctx.facts.django_version.source or ""),
            f"python-version {minor}: {check.message}; it is outside Django's support and may fail",
        )
    elif check.fallback:
        raise PlanError(
            f"python-version {minor} was asked for, but {check.message}. Choose that one, or "
            "upgrade Django"
        )
    elif not check.ok:
        raise PlanError(
            f"python-version {minor} was asked for, but {check.message}: pip would find no Django to "
            "install. Choose one of those Pythons, or change the Django requirement"
        )


def _codename(minor: str) -> str:
    from generator.detect.python_version import debian_codename

    try:
        return debian_codename(minor)
    except ValueError as exc:
        raise PlanError(str(exc)) from None


def _safe_codename(minor: str | None) -> str | None:
    from generator.detect.python_version import debian_codename

    try:
        return debian_codename(minor) if minor else None
    except ValueError:
        return None


def _settings_module(ctx: _Context) -> str | None:
    s = ctx.facts.settings
    if ctx.options.settings_module:
        ctx.decide("settings", None, None, f"{ctx.options.settings_module} as configured")
        return ctx.options.settings_module
    if s.production_settings_module:
        ctx.decide(
            "settings",
            _module_file(s.production_settings_module, s.settings_files),
            None,
            f"DJANGO_SETTINGS_MODULE={s.production_settings_module}: the production settings "
            f"module (manage.py defaults to {s.settings_module or 'nothing'})",
        )
        return s.production_settings_module
    if s.settings_module:
        ctx.decide(
            "settings",
            ctx.facts.manage_py,
            None,
            f"DJANGO_SETTINGS_MODULE={s.settings_module}: the module manage.py uses "
            "(no separate production settings module was found)",
        )
        return s.settings_module
    if s.settings_guess:
        # Without a module the build's management commands and the server cannot start; the
        # facts above were read from this one, so it is what the image is planned for.
        ctx.decide(
            "settings",
            _module_file(s.settings_guess, s.settings_files),
            None,
            f"DJANGO_SETTINGS_MODULE={s.settings_guess}: manage.py names no settings module (it "
            "expects one from the environment) and this is the settings module found; "
            "`docker run -e DJANGO_SETTINGS_MODULE=...` overrides it",
        )
        return s.settings_guess
    ctx.decide(
        "settings",
        ctx.facts.manage_py,
        None,
        "no settings module found: set DJANGO_SETTINGS_MODULE at run time, or pass "
        "--settings-module and regenerate",
    )
    return None
