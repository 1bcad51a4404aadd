#!/usr/bin/env bash
# End-to-end suite (issue 6): build the generated Dockerfiles with podman and run the images.
# Called by .ci/run on a fresh machine. No Docker engine and no image registry are reachable, so
# the python:/node: bases are stand-ins built with debootstrap (tests/e2e/standin.py, facts.md §5).
# Stand-in rootfs tarballs and the tools venv are cached in $E2E_CACHE between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

export E2E=1
export E2E_CACHE="${E2E_CACHE:-/var/tmp/django-dockerfile-e2e}"

retry() {  # retry N CMD...: network fetches fail now and then; try again before giving up
    local tries=$1 n=1; shift
    until "$@"; do
        if (( n >= tries )); then echo "e2e: '$*' failed $tries times" >&2; return 1; fi
        echo "e2e: '$*' failed (attempt $n), retrying" >&2
        sleep $((n * 10)); n=$((n + 1))
    done
}

missing=()
for bin in podman buildah runc debootstrap newuidmap; do
    command -v "$bin" >/dev/null || missing+=("$bin")
done
if (( ${#missing[@]} )); then
    echo "e2e: installing podman buildah runc debootstrap uidmap (missing: ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    retry 3 apt-get update -qq
    retry 3 apt-get install -y -qq --no-install-recommends \
        podman buildah runc debootstrap uidmap ca-certificates
fi

# Build the default stand-in base once (cached tarballs make this seconds on a rerun): the
# look-alike of python:3.11-slim-bookworm from this machine's pyenv CPython (facts.md §6), or
# Debian's python3 where pyenv has no 3.11. The other Pythons (3.8-3.13 share one minbase
# tarball; ~15 s each), node and uv are built on demand when a generated Dockerfile asks for them.
started=$SECONDS
python tests/e2e/standin.py default
echo "e2e: stand-in bases ready in $((SECONDS - started))s"

# `.ci/e2e.sh setup` stops here: .ci/run then runs the whole suite (e2e included, E2E=1) with the
# README's test command. Without it, run just the e2e tests.
if [ "${1:-}" = "setup" ]; then exit 0; fi
# -x stops at the first broken image (its build-log tail is in the failure); --durations shows
# where the time goes, to keep the suite inside its 20-minute budget.
python -m pytest -m e2e tests/e2e -x -q -p no:cacheprovider --durations=15 "$@"
