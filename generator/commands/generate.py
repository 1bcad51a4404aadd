"""`django-dockerfile [generate] PATH`: write the Dockerfile and .dockerignore for a Django project.

Exit status: 0 written or unchanged, 1 error, 2 not a Django project, 3 a hand-written file was kept.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from generator.facts import Diagnostics
from generator.options import (
    PROFILES,
    SERVERS,
    Options,
    OptionsError,
    add_offline_flag,
    load_options,
)
from generator.plan import PlanError

EXIT_OK, EXIT_ERROR, EXIT_NOT_DJANGO, EXIT_KEPT = 0, 1, 2, 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "generate",
        help="write a production Dockerfile and .dockerignore (the default command)",
        description=(
            "Detect the Django project in PATH and write Dockerfile and .dockerignore. Choices "
            "kept in [tool.django-dockerfile] in pyproject.toml apply on every run; flags win."
        ),
    )
    p.add_argument("path", nargs="?", default=".", help="the repository (default: .)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--stdout", action="store_true", help="print the Dockerfile, write nothing")
    out.add_argument(
        "--dry-run", action="store_true", help="show a diff against the existing files"
    )
    p.add_argument(
        "--force", action="store_true", help="replace files even if they were written by hand"
    )
    add_option_flags(p)


def add_option_flags(parser: argparse.ArgumentParser, paths: bool = False) -> None:
    """Add the flags that choose what goes into the Dockerfile (`--profile`, `--server`, ...).

    `check` shares them, so it compares with exactly what `generate` would write; `paths` adds
    `--dockerfile` and `--dockerignore` too. Read the values back with `options_from_args`.
    """
    if paths:
        parser.add_argument(
            "--dockerfile", metavar="FILE", help="relative to PATH (default: Dockerfile)"
        )
        parser.add_argument(
            "--dockerignore", metavar="FILE", help="relative to PATH (default: .dockerignore)"
        )
    parser.add_argument("--profile", choices=PROFILES, help="production (default) or minimal")
    parser.add_argument("--python-version", metavar="X.Y[.Z]", help="Python for the base image")
    parser.add_argument("--server", choices=SERVERS, help="application server (default: detected)")
    parser.add_argument("--settings-module", metavar="MODULE", help="DJANGO_SETTINGS_MODULE")
    parser.add_argument("--port", metavar="N", help="port the server listens on (default 8000)")
    parser.add_argument(
        "--apt-build", action="append", metavar="PKG", help="extra Debian package, build stage"
    )
    parser.add_argument(
        "--apt-runtime", action="append", metavar="PKG", help="extra Debian package, runtime"
    )
    parser.add_argument(
        "--install-group",
        action="append",
        metavar="NAME",
        help="install this dependency group too (e.g. one the app imports at start)",
    )
    parser.add_argument(
        "--install-extra", action="append", metavar="NAME", help="install this extra too"
    )
    parser.add_argument(
        "--env", action="append", metavar="KEY=VALUE", help="extra ENV in the image"
    )
    parser.add_argument(
        "--base-variant", metavar="VARIANT", help="base tag suffix, e.g. slim-bookworm"
    )
    parser.add_argument("--pin-digest", metavar="SHA", help="pin FROM to @sha256:...")
    parser.add_argument(
        "--project-dir",
        metavar="DIR",
        help="the directory holding manage.py, when the repository has several Django projects",
    )
    parser.add_argument(
        "--name", metavar="NAME", help="image title label (default: the project's name)"
    )
    add_offline_flag(parser)


def options_from_args(args: argparse.Namespace, root: Path, diags: Diagnostics) -> Options:
    """The Options for ROOT: the flags `add_option_flags` added, over [tool.django-dockerfile].

    Config-file problems become warnings in `diags`; a bad flag raises OptionsError.
    """
    values: dict[str, object] = {
        "profile": args.profile,
        "python_version": args.python_version,
        "server": args.server,
        "settings_module": args.settings_module,
        "port": args.port,
        "apt_build": args.apt_build,
        "apt_runtime": args.apt_runtime,
        "install_groups": args.install_group,
        "install_extras": args.install_extra,
        "env": args.env,
        "base_variant": args.base_variant,
        "digest": args.pin_digest,
        "project_dir": args.project_dir,
        "name": args.name,
        "offline": args.offline,
        # Absent when the parser was built without `paths` (None: the default file names).
        "dockerfile": getattr(args, "dockerfile", None),
        "dockerignore": getattr(args, "dockerignore", None),
    }
    return load_options(root, values, diags)


def prepare(args: argparse.Namespace, error: Callable[[str], int]) -> tuple[Path, Options] | int:
    """The repository root and the options from flags and pyproject.toml, or an exit status.

    Warnings about pyproject.toml values go to stderr; a bad flag or path is reported through
    `error`, whose return value is the exit status.
    """
    root = Path(args.path)
    if not root.is_dir():
        return error(f"{args.path}: not a directory; pass the path of the repository")
    diags = Diagnostics()
    try:
        options = options_from_args(args, root, diags)
    except OptionsError as exc:
        return error(str(exc))
    for warning in diags.items:
        print(f"warning: {warning}", file=sys.stderr)
    return root, options


def run(args: argparse.Namespace) -> int:
    from generator.core import generate, write_files
    from generator.guard import UnsafePath

    prepared = prepare(args, _error)
    if isinstance(prepared, int):
        return prepared
    root, options = prepared
    try:
        generated = generate(root, options)
    except PlanError as exc:
        return _error(str(exc))
    for warning in generated.facts.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if generated.plan is None:
        print(f"django-dockerfile: not a Django project: {generated.facts.reason}", file=sys.stderr)
        return EXIT_NOT_DJANGO

    if args.stdout:
        print(generated.files[options.dockerfile], end="")
        _print_decisions(generated.decisions, sys.stderr)
        _print_run(generated, options, sys.stderr)
        return EXIT_OK

    overwrite = "always" if args.force else "generated"
    try:
        results = write_files(root, generated, overwrite=overwrite, dry_run=args.dry_run)
    except UnsafePath as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"cannot write into {args.path}: {exc.strerror or exc}")
    kept = False
    for result in results:
        if args.dry_run:
            if result.diff:
                print(result.diff, end="")
            verb = {"created": "would create", "updated": "would update"}.get(
                result.status, result.status
            )
        else:
            verb = result.status
        print(f"{result.path}: {verb} ({result.reason})", file=sys.stderr)
        kept = kept or (result.status == "skipped" and "not generated" in result.reason)
    _print_decisions(generated.decisions, sys.stderr)
    _print_run(generated, options, sys.stderr)
    return EXIT_KEPT if kept else EXIT_OK


def _print_run(generated, options: Options, stream) -> None:
    """How to start the image: its runtime contract as one `docker run` line."""
    from generator.plan.contract import run_command

    print("start the image with its runtime contract:", file=stream)
    line = run_command(generated.facts, options.name or "IMAGE", options.port)
    print(f"  {line}", file=stream)


def _print_decisions(decisions, stream) -> None:
    if not decisions:
        return
    print("decisions:", file=stream)
    for d in decisions:
        where = f" [{d.file}{':' + str(d.line) if d.line else ''}]" if d.file else ""
        print(f"  - {d.fact}: {d.why}{where}", file=stream)


def _error(message: str) -> int:
    print(f"django-dockerfile: error: {message}", file=sys.stderr)
    return EXIT_ERROR
