"""A small client for the two registries that list `python` image tags: Docker Hub and registry v2.

Standard library only (urllib). Every request has a timeout; connection errors and 5xx answers are
retried with backoff, a 429 waits for its Retry-After (capped), and a 401 from a registry runs the
Bearer token handshake once. Failures end in a RegistryError whose message says what to do.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DOCKER_HUB = "https://hub.docker.com"
DOCKER_REGISTRY = "https://registry-1.docker.io"

# A multi-platform image is an index/list; asking for all four gets the digest people pin.
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ]
)
# Enough for every python tag ever published (about 10k) at 100 a page, and a stop for a registry
# that keeps answering with the same `next` link.
MAX_PAGES = 200
# A page of 100 Hub tags is about 200 kB; nothing we ask for is near this. A registry (or a
# mirror someone points us at) answering more is refused before it fills memory.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_TAGS = 100_000
# Docker's tag grammar; anything else a registry lists is not a tag we could write in FROM.
_TAG_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z", re.ASCII)
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z", re.ASCII)


class RegistryError(Exception):
    """The registry could not answer; the message is advice for the user."""


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class _StatusAsResponse(urllib.request.HTTPErrorProcessor):
    """Hand error statuses back as responses (one code path reads them all); still follow redirects."""

    def http_response(self, request, response):  # type: ignore[no-untyped-def]
        if response.status in (301, 302, 303, 307, 308):
            return super().http_response(request, response)
        return response

    https_response = http_response


@dataclass
class RegistryClient:
    """Lists tags and reads manifest digests of one repository ("library/python" by default).

    `hub` is the Docker Hub API base used for tag lists (set it to None to list tags through the
    registry v2 API, as mirrors require); `registry` is the v2 API base used for digests.
    """

    registry: str = DOCKER_REGISTRY
    hub: str | None = DOCKER_HUB
    repository: str = "library/python"
    timeout: float = 20.0  # per connection and per read
    deadline: float = 300.0  # for everything this client does: a drip-feeding server stops here
    retries: int = 4
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_wait: float = 60.0  # longest Retry-After honoured
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    user_agent: str = "django-dockerfile (+https://github.com/)"
    # Credentials for registries that need them: username/password go to the token service (or
    # to a registry that asks for Basic auth); `bearer` is a registry token used as it is.
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    bearer: str | None = field(default=None, repr=False)
    _token: str | None = field(default=None, repr=False)
    _all_tags: list[str] | None = field(default=None, repr=False)
    _digests: dict[str, str] = field(default_factory=dict, repr=False)
    _pushed: dict[str, datetime] = field(default_factory=dict, repr=False)
    _started: float | None = field(default=None, repr=False)

    # -- public ----------------------------------------------------------------------------

    def tags(self, name_filter: str = "") -> list[str]:
        """Tag names containing `name_filter` ("3.12"), every page followed."""
        if self.hub:
            return self._hub_tags(name_filter)
        if self._all_tags is None:
            self._all_tags = self._registry_tags()
        return [t for t in self._all_tags if name_filter in t]

    def digest(self, tag: str) -> str:
        """The manifest digest ("sha256:...") the registry serves for `tag` right now."""
        if tag in self._digests:
            return self._digests[tag]
        url = f"{self._v2()}/manifests/{urllib.parse.quote(tag, safe='')}"
        response = self._call("HEAD", url, {"Accept": MANIFEST_TYPES}, auth=True)
        digest = response.header("Docker-Content-Digest")
        if not digest:
            # Some mirrors leave the header off HEAD answers; the digest is the body's hash.
            response = self._call("GET", url, {"Accept": MANIFEST_TYPES}, auth=True)
            digest = response.header("Docker-Content-Digest")
            digest = digest or "sha256:" + hashlib.sha256(response.body).hexdigest()
        if not _DIGEST.match(digest):
            # It is written into FROM: only a digest, never text a registry chose.
            raise RegistryError(
                f"registry answered {digest[:80]!r} as the digest of {tag}, not sha256:<64 hex>"
            )
        self._digests[tag] = digest
        return digest

    def for_repository(self, repository: str) -> RegistryClient:
        """A client for another repository of the same registries ("library/node")."""
        from dataclasses import replace

        return replace(
            self, repository=repository, _token=None, _all_tags=None, _digests={}, _pushed={}
        )

    def pushed_at(self, tag: str) -> datetime | None:
        """When `tag`'s current image was pushed (Docker Hub's tag list says); None if unknown.

        A registry v2 API (a mirror) gives no dates; neither does a tag not listed yet.
        """
        return self._pushed.get(tag)

    # -- tag lists ---------------------------------------------------------------------------

    def _hub_tags(self, name_filter: str) -> list[str]:
        assert self.hub is not None
        query = urllib.parse.urlencode({"page_size": 100, "name": name_filter})
        url: str | None = f"{self.hub.rstrip('/')}/v2/repositories/{self.repository}/tags?{query}"
        names: list[str] = []
        for _ in range(MAX_PAGES):
            if not url:
                break
            data = self._json(self._call("GET", url, {"Accept": "application/json"}), url)
            results = data.get("results")
            for r in results if isinstance(results, list) else []:
                if not isinstance(r, dict) or not _valid_tag(r.get("name")):
                    continue
                names.append(r["name"])
                when = _timestamp(r.get("tag_last_pushed") or r.get("last_updated"))
                if when is not None:
                    self._pushed[str(r["name"])] = when
            following = data.get("next")
            url = urllib.parse.urljoin(url, following) if isinstance(following, str) else None
            if len(names) > MAX_TAGS:
                break
        return names

    def _registry_tags(self) -> list[str]:
        url: str | None = f"{self._v2()}/tags/list?n=1000"
        names: list[str] = []
        for _ in range(MAX_PAGES):
            if not url:
                break
            response = self._call("GET", url, {"Accept": "application/json"}, auth=True)
            data = self._json(response, url)
            tags = data.get("tags")
            names.extend(t for t in (tags if isinstance(tags, list) else []) if _valid_tag(t))
            url = _next_link(response.header("Link"), url)
            if len(names) > MAX_TAGS:
                break
        return names

    # -- HTTP --------------------------------------------------------------------------------

    def _v2(self) -> str:
        return f"{self.registry.rstrip('/')}/v2/{self.repository}"

    def _call(
        self, method: str, url: str, headers: Mapping[str, str], auth: bool = False
    ) -> _Response:
        """One request with retries, Retry-After and (for the registry) the token handshake."""
        sent = {"User-Agent": self.user_agent, **headers}
        handshakes = 0
        attempt = 0
        if auth and self.bearer and not self._token:
            self._token = self.bearer
        while True:
            if auth and self._token:
                sent["Authorization"] = f"Bearer {self._token}"
            try:
                response = self._send(method, url, sent)
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt >= self.retries:
                    raise RegistryError(self._unreachable(url, str(reason))) from exc
                self._pause(self.backoff * 2**attempt, url)
                attempt += 1
                continue
            if response.status == 401 and auth and handshakes == 0:
                challenge = response.header("WWW-Authenticate") or ""
                if challenge.lower().startswith("bearer"):
                    self._token = self._fetch_token(challenge)
                    handshakes += 1
                    continue
                if challenge.lower().startswith("basic") and self._basic():
                    sent["Authorization"] = self._basic() or ""
                    handshakes += 1
                    continue
            if response.status == 429 or response.status >= 500:
                if attempt >= self.retries:
                    raise RegistryError(
                        self._unreachable(url, f"HTTP {response.status} after {attempt + 1} tries")
                    )
                wait = self.backoff * 2**attempt
                if response.status == 429:
                    wait = _retry_after(response.header("Retry-After"), wait)
                self._pause(min(wait, self.max_wait), url)
                attempt += 1
                continue
            if 200 <= response.status < 300:
                return response
            raise RegistryError(self._refused(url, response))

    def _remaining(self, url: str) -> float:
        """Seconds left of the client's deadline; RegistryError when none are."""
        now = self.clock()
        if self._started is None:
            self._started = now
        left = self.deadline - (now - self._started)
        if left <= 0:
            host = urllib.parse.urlsplit(url).netloc or url
            raise RegistryError(
                f"registry {host} did not answer within {self.deadline:.0f} s in total; try "
                "again later, or use --registry for a mirror"
            )
        return left

    def _pause(self, seconds: float, url: str) -> None:
        # A wait past the deadline would only end in the deadline's error: give it now.
        self._remaining(url)
        self.sleep(min(seconds, max(0.0, self.deadline - (self.clock() - (self._started or 0)))))

    def _send(self, method: str, url: str, headers: Mapping[str, str]) -> _Response:
        """One HTTP exchange, within what is left of the deadline however slowly the server
        answers (headers included): it runs in a daemon thread that is abandoned at the
        deadline."""
        left = self._remaining(url)
        outcome: list[_Response | BaseException] = []

        def exchange() -> None:
            try:
                outcome.append(self._exchange(method, url, headers, min(self.timeout, left)))
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)

        worker = threading.Thread(target=exchange, name="registry", daemon=True)
        worker.start()
        worker.join(left)
        if not outcome:
            self._started = self.clock() - self.deadline  # spent: later calls fail at once
            self._remaining(url)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    @staticmethod
    def _exchange(method: str, url: str, headers: Mapping[str, str], timeout: float) -> _Response:
        request = urllib.request.Request(url, method=method, headers=dict(headers))
        opener = urllib.request.build_opener(_StatusAsResponse)
        with opener.open(request, timeout=timeout) as raw:
            host = urllib.parse.urlsplit(url).netloc or url
            too_big = RegistryError(
                f"registry {host} answered more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB "
                f"for {url}; refused (no tag list or manifest is that large)"
            )
            declared = raw.headers.get("Content-Length") or ""
            if declared.isascii() and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
                raise too_big
            chunks: list[bytes] = []
            size = 0
            while method != "HEAD":
                # read1 returns what one read gives: the size is checked as the bytes arrive.
                chunk = raw.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise too_big
                chunks.append(chunk)
            return _Response(raw.status, dict(raw.headers.items()), b"".join(chunks))

    def _fetch_token(self, challenge: str) -> str:
        params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        realm = params.pop("realm", None)
        if not realm:
            raise RegistryError(
                f"registry {self.registry} asked for a login without saying where "
                f"(WWW-Authenticate: {challenge!r}); use --registry for a mirror that allows "
                "anonymous pulls"
            )
        url = f"{realm}?{urllib.parse.urlencode(params)}" if params else realm
        headers = {"Accept": "application/json"}
        if self._basic():
            # The token service trades the login for a token scoped to this repository.
            headers["Authorization"] = self._basic() or ""
        data = self._json(self._call("GET", url, headers), url)
        token = data.get("token") or data.get("access_token")
        if not isinstance(token, str) or not token:
            raise RegistryError(f"the token service {realm} answered without a token")
        return token

    def _basic(self) -> str | None:
        """The Basic Authorization header for username/password, None without them."""
        if not self.username or self.password is None:
            return None
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    @staticmethod
    def _json(response: _Response, url: str) -> dict[str, Any]:
        try:
            data = json.loads(response.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RegistryError(f"{url} did not answer with JSON ({exc})") from exc
        except (RecursionError, MemoryError):
            raise RegistryError(f"{url} answered with JSON nested too deeply to read") from None
        if not isinstance(data, dict):
            raise RegistryError(f"{url} answered with unexpected JSON (not an object)")
        return data

    def _unreachable(self, url: str, reason: str) -> str:
        host = urllib.parse.urlsplit(url).netloc or url
        return (
            f"could not reach registry {host}: {reason}; check the network, or use --registry "
            "(and --hub) for a mirror"
        )

    def _refused(self, url: str, response: _Response) -> str:
        host = urllib.parse.urlsplit(url).netloc or url
        if response.status == 404:
            return f"registry {host} has no {self.repository} at {url} (HTTP 404)"
        if response.status in (401, 403) and (self.username or self.bearer):
            return (
                f"registry {host} refused the credentials for {self.repository} "
                f"(HTTP {response.status}); check registry-username and registry-password "
                "(or registry-token) and that they may pull it"
            )
        if response.status in (401, 403):
            return (
                f"registry {host} refused anonymous access to {self.repository} "
                f"(HTTP {response.status}); use --registry for a mirror that allows it"
            )
        return f"registry {host} answered HTTP {response.status} for {url}"


def _timestamp(value: object) -> datetime | None:
    """An ISO 8601 time from the Hub API ("2024-12-04T01:23:45.678901Z"), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _valid_tag(name: object) -> bool:
    """A tag a registry lists that we could write in FROM: Docker's grammar, ASCII only."""
    return isinstance(name, str) and _TAG_NAME.match(name) is not None


def _next_link(header: str | None, base: str) -> str | None:
    """The rel="next" target of a Link header, resolved against the request URL."""
    for part in (header or "").split(","):
        m = re.match(r"\s*<([^>]*)>\s*;(.*)", part)
        if m and re.search(r'rel="?next"?', m.group(2)):
            return urllib.parse.urljoin(base, m.group(1))
    return None


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return default
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
