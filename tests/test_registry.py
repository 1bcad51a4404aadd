"""The registry client against a local fake of Docker Hub and a v2 registry (no network)."""

from __future__ import annotations

import hashlib
import json
import socket

import pytest
from fake_registry import TOKEN, FakeRegistry, fake_digest, manifest_body

from generator.registry import RegistryClient, RegistryError

TAGS = ["3.12", "3.12-slim", "3.12.7-slim", "3.12.8-slim", "3.12.15-slim", "3.13-slim", "3.3.12"]


def client_for(fake: FakeRegistry, *, hub: bool = True, **kwargs) -> tuple[RegistryClient, list]:
    waits: list[float] = []
    client = RegistryClient(
        registry=fake.url,
        hub=fake.url if hub else None,
        timeout=5,
        backoff=0.01,
        max_wait=0.05,
        sleep=waits.append,
        **kwargs,
    )
    return client, waits


def test_hub_tags_follow_next_pages() -> None:
    with FakeRegistry(TAGS, page_size=2) as fake:
        client, _ = client_for(fake)
        tags = client.tags("3.12")
        hub_calls = [p for p in fake.paths() if p.startswith("/v2/repositories/")]
    assert sorted(tags) == sorted(t for t in TAGS if "3.12" in t)
    assert len(hub_calls) == 3  # 5 matching tags at 2 a page
    assert "name=3.12" in hub_calls[0] and "page_size=100" in hub_calls[0]


def test_registry_tags_use_token_handshake_and_link_pages() -> None:
    with FakeRegistry(TAGS, page_size=3) as fake:
        client, _ = client_for(fake, hub=False)
        tags = client.tags("3.12")
        assert client.tags("3.13") == ["3.13-slim"]  # served from the first listing
        gets = fake.paths()
        authorised = [h.get("Authorization") for _, p, h in fake.requests if "tags/list" in p]
    assert sorted(tags) == sorted(t for t in TAGS if "3.12" in t)
    assert gets[0].startswith("/v2/library/python/tags/list")  # first try, answered 401
    assert gets[1].startswith("/token?") and "scope=repository%3Alibrary%2Fpython%3Apull" in gets[1]
    assert authorised[0] is None
    assert authorised[1:] == [f"Bearer {TOKEN}"] * 3  # 7 tags, 3 a page
    assert sum(p.startswith("/token") for p in gets) == 1


def test_digest_from_head_with_index_accept() -> None:
    with FakeRegistry(TAGS) as fake:
        client, _ = client_for(fake)
        assert client.digest("3.12-slim") == fake_digest("3.12-slim")
        assert client.digest("3.12-slim") == fake_digest("3.12-slim")  # cached
        heads = [h for m, p, h in fake.requests if m == "HEAD" and "manifests" in p]
    assert len(heads) == 2  # unauthorised, then with the token
    assert "application/vnd.oci.image.index.v1+json" in heads[-1]["Accept"]
    assert "application/vnd.docker.distribution.manifest.list.v2+json" in heads[-1]["Accept"]


def test_digest_falls_back_to_hashing_the_manifest() -> None:
    with FakeRegistry(TAGS, digest_on_head=False) as fake:
        client, _ = client_for(fake)
        digest = client.digest("3.12.15-slim")
    body = json.dumps(manifest_body("3.12.15-slim")).encode()
    assert digest == "sha256:" + hashlib.sha256(body).hexdigest()


def test_429_waits_for_retry_after_capped() -> None:
    with FakeRegistry(TAGS) as fake:
        fake.fail("/v2/repositories/", 429, **{"Retry-After": "30"})
        client, waits = client_for(fake)
        assert "3.12-slim" in client.tags("3.12")
    assert waits == [0.05]  # Retry-After 30 s, capped by max_wait


def test_429_with_short_retry_after_is_honoured() -> None:
    with FakeRegistry(TAGS) as fake:
        fake.fail("/v2/library/python/manifests/", 429, **{"Retry-After": "0"})
        client, waits = client_for(fake)
        assert client.digest("3.12-slim") == fake_digest("3.12-slim")
    assert waits == [0.0]


def test_500_is_retried_with_backoff() -> None:
    with FakeRegistry(TAGS) as fake:
        fake.fail("/v2/library/python/tags/list", 500)
        fake.fail("/v2/library/python/tags/list", 503)
        client, waits = client_for(fake, hub=False)
        assert "3.12-slim" in client.tags("3.12")
    assert waits == [0.01, 0.02]


def test_dropped_connection_is_retried() -> None:
    with FakeRegistry(TAGS) as fake:
        fake.fail("/v2/repositories/", 0)
        client, waits = client_for(fake)
        assert "3.12-slim" in client.tags("3.12")
    assert len(waits) == 1


def test_persistent_500_gives_up_with_advice() -> None:
    with FakeRegistry(TAGS) as fake:
        for _ in range(10):
            fake.fail("/v2/repositories/", 500)
        client, waits = client_for(fake, retries=2)
        with pytest.raises(
            RegistryError, match=r"could not reach registry .*HTTP 500 .*--registry"
        ):
            client.tags("3.12")
    assert len(waits) == 2


def test_unreachable_registry_names_it_and_suggests_a_mirror() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = RegistryClient(
        registry=f"http://127.0.0.1:{port}", hub=None, timeout=2, retries=1, sleep=lambda s: None
    )
    with pytest.raises(RegistryError) as info:
        client.tags("3.12")
    message = str(info.value)
    assert f"could not reach registry 127.0.0.1:{port}" in message
    assert "use --registry" in message


def test_unknown_tag_is_a_clear_error() -> None:
    with FakeRegistry(TAGS) as fake:
        client, _ = client_for(fake)
        with pytest.raises(RegistryError, match="HTTP 404"):
            client.digest("3.99-slim")


def test_registry_refusing_the_token_says_so() -> None:
    with FakeRegistry(TAGS) as fake:
        fake.fail("/token", 403)
        client, _ = client_for(fake, hub=False)
        with pytest.raises(RegistryError, match="HTTP 403"):
            client.tags("3.12")


@pytest.mark.parametrize("basic", [False, True])
def test_private_registry_with_username_and_password(basic) -> None:
    with FakeRegistry(["3.12.9-slim"], login=("robot", "s3cret"), basic=basic) as fake:
        client = RegistryClient(
            registry=fake.url, hub=None, username="robot", password="s3cret", retries=0
        )
        assert client.tags("3.12") == ["3.12.9-slim"]
        assert client.digest("3.12.9-slim").startswith("sha256:")

        wrong = RegistryClient(
            registry=fake.url, hub=None, username="robot", password="nope", retries=0
        )
        with pytest.raises(RegistryError) as err:
            wrong.tags("3.12")
        assert "refused the credentials" in str(err.value)
        assert "nope" not in str(err.value)


def test_registry_token_is_sent_as_it_is() -> None:
    from fake_registry import TOKEN

    with FakeRegistry(["3.12.9-slim"]) as fake:
        client = RegistryClient(registry=fake.url, hub=None, bearer=TOKEN)
        assert client.tags("3.12") == ["3.12.9-slim"]
        assert not any(p.startswith("/token") for p in fake.paths())  # no handshake needed
