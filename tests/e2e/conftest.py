"""Fixtures for the end-to-end suite: podman checks, stand-in bases, the project tools, cleanup.

The suite is slow (it builds images), so it runs only when asked: `E2E=1` or `-m e2e`. With E2E=1
(as in CI) a missing podman fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import harness
import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip e2e tests unless E2E=1 or the run selects them with -m e2e."""
    if os.environ.get("E2E") == "1" or "e2e" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="builds container images (slow); run with E2E=1 or -m e2e")
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def podman_ready() -> None:
    """Skip (or, with E2E=1, fail) when podman cannot build and run containers here."""
    reason = harness.podman_available()
    if reason is None:
        return
    if os.environ.get("E2E") == "1":
        pytest.fail(f"E2E=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def images(podman_ready: None) -> Iterator[list[str]]:
    """A list the test appends image tags to; they are removed afterwards."""
    tags: list[str] = []
    yield tags
    for tag in tags:
        harness.remove_image(tag)


@pytest.fixture
def containers(podman_ready: None) -> Iterator[list[harness.Container]]:
    """A list the test appends containers to; they are removed afterwards."""
    started: list[harness.Container] = []
    yield started
    for container in started:
        harness.remove_container(container)


@pytest.fixture
def unique_tag() -> str:
    """An image name no other test or run uses."""
    return f"localhost/django-dockerfile-e2e/app:{uuid.uuid4().hex[:10]}"
