"""`django-dockerfile check [PATH]`: does the committed Dockerfile still fit the project?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.check import EXIT_DRIFT, EXIT_ERROR, EXIT_NOT_DJANGO, EXIT_OK, CheckResult
from generator.facts import Diagnostics
from generator.options import PROFILES, SERVERS, OptionsError, load_options
from generator.plan import PlanError

EPILOG = f"""\
exit status:
  {EXIT_OK}   the Dockerfile and .dockerignore match what django-dockerfile generates now
       (a hand-written Dockerfile: nothing the project needs is missing from it)
  {EXIT_DRIFT}  drift: the files differ (a unified diff is printed) or a hand-written Dockerfile
       lacks something the project needs (printed as FILE:LINE: message)
  {EXIT_NOT_DJANGO}   PATH is not a Django project (the reason is printed)
  {EXIT_ERROR}   error: bad option, or no Dockerfile can be planned

Differences in the tool version of the header, and in the Python patch release or the digest
of the base image (which `django-dockerfile refresh` moves), are not drift. See docs/check.md.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help=f"compare the committed Dockerfile with the project (exit {EXIT_DRIFT} on drift)",
        description=(
            "Regenerate the Dockerfile and .dockerignore in memory and compare them with the "
            "committed ones; a hand-written Dockerfile is reviewed instead (never rewritten). "
            "Nothing is written."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", nargs="?", default=".", help="the repository (default: .)")
    p.add_argument("--dockerfile", metavar="FILE", help="relative to PATH (default: Dockerfile)")
    p.add_argument(
        "--dockerignore", metavar="FILE", help="relative to PATH (default: .dockerignore)"
    )
    # The same choices as `generate`, so the comparison is with what that command would write.
    p.add_argument("--profile", choices=PROFILES, help="production (default) or minimal")
    p.add_argument("--python-version", metavar="X.Y[.Z]", help="Python for the base image")
    p.add_argument("--server", choices=SERVERS, help="application server (default: detected)")
    p.add_argument("--settings-module", metavar="MODULE", help="DJANGO_SETTINGS_MODULE")
    p.add_argument("--port", metavar="N", help="port the server listens on (default 8000)")
    p.add_argument(
        "--apt-build", action="append", metavar="PKG", help="extra Debian package, build stage"
    )
    p.add_argument(
        "--apt-runtime", action="append", metavar="PKG", help="extra Debian package, runtime"
    )
    p.add_argument("--env", action="append", metavar="KEY=VALUE", help="extra ENV in the image")
    p.add_argument("--base-variant", metavar="VARIANT", help="base tag suffix, e.g. slim-bookworm")
    p.add_argument("--pin-digest", metavar="SHA", help="pin FROM to @sha256:...")


def run(args: argparse.Namespace) -> int:
    from generator.check import check

    root = Path(args.path)
    if not root.is_dir():
        return _error(f"{args.path}: not a directory; pass the path of the repository")
    diags = Diagnostics()
    try:
        options = load_options(root, _cli_values(args), diags)
    except OptionsError as exc:
        return _error(str(exc))
    for warning in diags.items:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        result = check(root, options)
    except PlanError as exc:
        return _error(str(exc))
    if not result.django:
        print(f"django-dockerfile check: not a Django project: {result.reason}", file=sys.stderr)
        return EXIT_NOT_DJANGO
    for line in report(result, args.path):
        print(line)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return result.exit_code


def report(result: CheckResult, path: str) -> list[str]:
    """The lines printed for a result: diffs, findings, then a sentence saying what to do."""
    lines: list[str] = []
    for name, diff in result.diffs.items():
        if name in result.missing:
            # The whole file as a diff says nothing a user can act on; the command does.
            lines.append(f"no {name}: run `django-dockerfile {path}` to create one")
        else:
            lines.extend(diff.rstrip("\n").split("\n"))
    # Messages name the repository as PATH; here the user's own argument reads better.
    lines.extend(
        str(f).replace("`django-dockerfile PATH`", f"`django-dockerfile {path}`")
        for f in result.findings
    )
    if not result.drift and result.handwritten:
        lines.append("ok: the hand-written Dockerfile has everything the project calls for")
    elif not result.drift:
        lines.append("ok: the Dockerfile and .dockerignore match the project")
    elif result.diffs:
        lines.append(
            f"drift: regenerate with `django-dockerfile {path}` (keep your choices in "
            "[tool.django-dockerfile] in pyproject.toml so they survive)"
        )
    if result.handwritten and result.findings:
        lines.append(
            "the Dockerfile is hand-written, so it was reviewed, not rewritten; fix the lines "
            f"above, or compare with ours: `django-dockerfile {path} --stdout`"
        )
    return lines


def _cli_values(args: argparse.Namespace) -> dict[str, object]:
    return {
        "profile": args.profile,
        "python_version": args.python_version,
        "server": args.server,
        "settings_module": args.settings_module,
        "port": args.port,
        "apt_build": args.apt_build,
        "apt_runtime": args.apt_runtime,
        "env": args.env,
        "base_variant": args.base_variant,
        "digest": args.pin_digest,
        "dockerfile": args.dockerfile,
        "dockerignore": args.dockerignore,
    }


def _error(message: str) -> int:
    print(f"django-dockerfile check: error: {message}", file=sys.stderr)
    return EXIT_ERROR
