"""`django-dockerfile check [PATH]`: does the committed Dockerfile still fit the project?"""

from __future__ import annotations

import argparse
import sys

from generator.check import EXIT_DRIFT, EXIT_ERROR, EXIT_NOT_DJANGO, EXIT_OK, CheckResult
from generator.commands.generate import add_option_flags, prepare
from generator.guard import UnsafePath
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
    # The same choices as `generate`, so the comparison is with what that command would write.
    add_option_flags(p, paths=True)


def run(args: argparse.Namespace) -> int:
    from generator.check import check

    prepared = prepare(args, _error)
    if isinstance(prepared, int):
        return prepared
    root, options = prepared
    try:
        result = check(root, options)
    except (PlanError, UnsafePath) as exc:
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


def _error(message: str) -> int:
    print(f"django-dockerfile check: error: {message}", file=sys.stderr)
    return EXIT_ERROR
