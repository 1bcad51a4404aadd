"""Command-line front door: `django-dockerfile [generate] PATH`, `detect`, `refresh`, `check`,
`sweep`.

Each subcommand lives in `generator/commands/<name>.py` and exposes `add_parser(subparsers)` and
`run(args) -> int`, so front doors share one core and the CLI stays a thin dispatcher.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from generator import __version__

COMMANDS = ("generate", "detect", "refresh", "check", "sweep")
DEFAULT_COMMAND = "generate"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with `only`, just that subcommand (imports only its module)."""
    parser = argparse.ArgumentParser(
        prog="django-dockerfile",
        description="Detect the Django project in a repository and write a production Dockerfile.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        module = importlib.import_module(f"generator.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `django-dockerfile PATH` means `django-dockerfile generate PATH`.
    if not args_list or (
        args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list.insert(0, DEFAULT_COMMAND)
    # Importing only the chosen command keeps start-up fast (detect needs no jinja2, no GitHub).
    only = args_list[0] if args_list[0] in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(args_list)
    module = importlib.import_module(f"generator.commands.{args.command}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error worth a traceback
        sys.stderr.close()
        return 0
