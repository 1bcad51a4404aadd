"""`django-dockerfile refresh` (placeholder until implemented)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("refresh", help="not implemented yet")
    p.add_argument("path", nargs="?", default=".")


def run(args: argparse.Namespace) -> int:
    print("django-dockerfile: 'refresh' is not implemented yet")
    return 2
