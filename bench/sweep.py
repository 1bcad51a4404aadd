"""Benchmark: an organisation sweep against the local fake GitHub server (tests/fake_github.py).

500 repositories, 50 of them Django (the fixture projects, round-robin), the rest small non-Django
repositories (a library, a Node app, docs). Three sweeps: the first opens the pull requests, the
second (no state) finds everything current, the third has the state of the second. Prints the
tool's own time and the API calls per kind of repository, against issue 14's targets: an unchanged
repository at most 4 calls, a new Django repository at most 15 plus the blobs it reads, 500
repositories under 2 minutes of the tool's own time (pacing pauses excluded: backoff is ~0 here).

    python bench/sweep.py [--repos 500] [--django 50]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_github import TOKEN, FakeGitHub  # noqa: E402

from generator.publish import make_client, publish  # noqa: E402
from generator.sweep import SweepConfig, sweep  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
DJANGO = sorted(
    p
    for p in FIXTURES.iterdir()
    if p.is_dir() and p.name not in ("flask_not_django", "broken_inputs")
)
OTHERS = [
    {"README.md": "# lib\n", "pyproject.toml": '[project]\nname = "lib"\ndependencies = ["requests"]\n', "lib/__init__.py": ""},
    {"README.md": "# web\n", "package.json": '{"name": "web", "scripts": {"build": "vite build"}}\n', "src/main.js": "console.log(1)\n"},
    {"README.md": "# docs\n", "mkdocs.yml": "site_name: docs\n", "docs/index.md": "# hi\n"},
]  # fmt: skip


def _calls_by_repo(requests: list[tuple[str, str]]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for _, path in requests:
        parts = path.split("/")
        if len(parts) > 3 and parts[1] == "repos":
            out[f"{parts[2]}/{parts[3]}"] += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repos", type=int, default=500)
    ap.add_argument("--django", type=int, default=50)
    args = ap.parse_args()
    with FakeGitHub() as gh:
        gh.orgs.add("bench")
        kind: dict[str, str] = {}
        for i in range(args.repos):
            name = f"bench/repo{i:04d}"
            if i < args.django:
                gh.add_repo_from_dir(name, DJANGO[i % len(DJANGO)])
                kind[name] = "django"
            else:
                gh.add_repo(name, OTHERS[i % len(OTHERS)])
                kind[name] = "other"
            gh.repos[name].created_at = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z"
        client = make_client(TOKEN, gh.api_url, retries=0, backoff=0.0, read_pause=0.0)
        client.per_page = 100

        def open_pr(**kw):
            return publish(token=TOKEN, api_url=gh.api_url, backoff=0.0, **kw)

        rows = []
        state = None
        for label, use_state in (
            ("first sweep", False),
            ("second, no state", False),
            ("third, with state", True),
        ):
            before = len(gh.requests)
            start = time.perf_counter()
            report = sweep(
                client, SweepConfig(owner="bench"), open_pr, state=state if use_state else None
            )
            elapsed = time.perf_counter() - start
            state = report.state(state)
            calls = _calls_by_repo(gh.requests[before:])
            blobs = _calls_by_repo(
                [r for r in gh.requests[before:] if "/git/blobs/" in r[1] and r[0] == "GET"]
            )
            per: dict[str, list[int]] = defaultdict(list)
            per_blobs: dict[str, list[int]] = defaultdict(list)
            for r in report.results:
                key = f"{kind[r.repository]}:{r.action}"
                per[key].append(calls[r.repository])
                per_blobs[key].append(blobs[r.repository])
            writes = sum(1 for m, _ in gh.requests[before:] if m != "GET")
            rows.append(
                (label, elapsed, len(gh.requests) - before, writes, per, per_blobs, report.counts())
            )
    print(
        f"sweep of {args.repos} repositories ({args.django} Django), fake GitHub on loopback, no pacing"
    )
    for label, elapsed, total, writes, per, per_blobs, counts in rows:
        print(f"\n{label}: {elapsed:.1f} s tool time, {total} API calls ({writes} writes)")
        print(f"  counts: { {k: v for k, v in counts.items() if v} }")
        for key in sorted(per):
            values, b = per[key], per_blobs[key]
            print(
                f"  {key:<28} {len(values):>4} repos  calls max {max(values):>3}  mean "
                f"{sum(values) / len(values):5.1f}  (of which blob reads max {max(b)})"
            )


if __name__ == "__main__":
    main()
