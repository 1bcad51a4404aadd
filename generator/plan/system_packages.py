"""Debian packages per stage: what the dependencies need to build and to run, and the apt RUN."""

from __future__ import annotations

from generator.facts import ProjectFacts, SystemPackage
from generator.plan.context import _compiles_messages, _Context
from generator.plan.model import Instruction, PlanError, _run
from generator.plan.python import _codename, _safe_codename

# One locked mount per RUN: it serialises apt across parallel stages (BuildKit), and buildah
# before 1.29 (Debian bookworm's podman) unlocks only one locked mount per RUN, so a second one
# would hang the next apt step (containers/buildah#4342, fixed by #4349).
APT_MOUNTS = (
    "--mount=type=cache,target=/var/cache/apt",
    "--mount=type=cache,target=/var/lib/apt,sharing=locked",
)


def _system_packages(ctx: _Context, minor: str, variant: str) -> tuple[SystemPackage, ...]:
    """The detected system packages, looked up again when the image's Python or Debian release
    differs from the detected one: wheels exist per Python, and Debian renames libraries."""
    from generator.detect.system_packages import detect_system_packages

    facts = ctx.facts
    suite = next((s for s in ("trixie", "bookworm", "bullseye") if s in variant), None)
    suite = suite or _codename(minor)
    detected = facts.python.version if facts.python else None
    packages, evidence = detect_system_packages(
        facts.dependencies, facts.settings, minor, suite, facts.compilemessages
    )
    _no_linux_file(ctx, minor)
    # Why a pin compiles names the source of its file list (lockfile, index or recorded
    # table), and a pin with no Linux file at all is a warning: both belong in the log.
    for item in evidence:
        if item.fact == "warning" or "pip compiles it" in item.why or "may need" in item.why:
            ctx.decide(item.fact, item.file, item.line, item.why)
    if detected == minor and suite == _safe_codename(detected):
        return facts.system_packages
    ctx.decide(
        "apt",
        None,
        None,
        f"system packages looked up again for Python {minor} on Debian {suite} "
        f"(detection assumed Python {detected} on {_safe_codename(detected)})",
    )
    return packages


def _no_linux_file(ctx: _Context, minor: str) -> None:
    """A requirements-file pin published only for other platforms (Windows/macOS wheels, no
    Linux file of any kind, no sdist) is a PlanError naming file:line and the marker that fixes it.

    Not skipped at install: pip is the only parser of record for requirements files (hashes,
    continuation lines, -r includes), a filter in the Dockerfile would keep dropping the line
    after the file changes, and what such a package provides (python-magic-bin bundles libmagic
    for Windows) is usually needed on Linux from another package that only the user can name;
    dropping it turns a build failure into an ImportError at run time. Pins with Linux wheels
    only for a newer glibc than bookworm's keep detection's warning (a newer base may take
    them); lock entries keep it too: their fix is in the manifest and a relock.
    """
    deps = ctx.facts.dependencies
    for wheel in deps.wheels:
        if (
            not wheel.other_platforms_only
            or not wheel.installed_on(minor)
            or wheel.file == deps.lockfile
        ):
            continue
        where = f"{wheel.file}:{wheel.line}" if wheel.line else str(wheel.file)
        pin = f"{wheel.name}=={wheel.version}"
        raise PlanError(
            f"{where}: {pin} publishes no file that installs on Linux (judged from "
            f"{wheel.source}: only wheels for other platforms, no source distribution), so "
            '`pip install` would stop with "No matching distribution". Mark the line for the '
            f'platforms it is for (`{pin}; sys_platform != "linux"`) and declare what the '
            "project needs on Linux instead, if anything (a package bundling a library for "
            "Windows or macOS, such as python-magic-bin, usually has a Linux counterpart: "
            "python-magic)"
        )


def _apt_packages(
    ctx: _Context, packages: tuple[SystemPackage, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    options = ctx.options
    for pkg in packages:
        ctx.decide(f"apt {pkg.stage}", None, None, f"{pkg.name}: {pkg.because} ({pkg.source})")
    build = sorted({p.name for p in packages if p.stage == "build"})
    runtime = sorted({p.name for p in packages if p.stage == "runtime"})
    facts = ctx.facts
    if _compiles_messages(ctx) and "gettext" not in build:
        build.append("gettext")
        ctx.decide("apt build", None, None, "gettext: compilemessages runs msgfmt at build time")
    if _needs_git(facts) and "git" not in build:
        build.append("git")
        ctx.decide("apt build", None, None, "git: a requirement is installed from a VCS URL")
    for name in options.apt_build:
        ctx.decide("apt build", None, None, f"{name}: requested in options")
    for name in options.apt_runtime:
        ctx.decide("apt runtime", None, None, f"{name}: requested in options")
    return (
        tuple(sorted(set(build) | set(options.apt_build))),
        tuple(sorted(set(runtime) | set(options.apt_runtime))),
    )


def _needs_git(facts: ProjectFacts) -> bool:
    return any(req.is_vcs for req in facts.dependencies.requirements)


def _apt_install(packages: tuple[str, ...], comment: tuple[str, ...]) -> Instruction:
    return _run(
        "rm -f /etc/apt/apt.conf.d/docker-clean",
        "apt-get update",
        # On the install line only: debconf asks no questions (and logs no noise) in this RUN,
        # while the image keeps no DEBIAN_FRONTEND for whoever runs apt in it later.
        "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "
        + " ".join(packages),
        mounts=APT_MOUNTS,
        comment=(
            *comment,
            "The apt cache mounts keep package lists and .debs out of the image layers.",
            "hadolint ignore=DL3008",
        ),
    )
