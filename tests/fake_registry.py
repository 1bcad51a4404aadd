"""A local stand-in for Docker Hub and a v2 registry, served on 127.0.0.1 (random port).

It answers like the real services do for `library/python` (and `library/node`, from `node_tags`): the Hub tags API with `next` links, the
registry tag list with `Link` headers behind the Bearer token handshake, and manifests with a
`Docker-Content-Digest` header. Failures (429 with Retry-After, 500, dropped connections) can be
queued for a path so tests can watch the client retry.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "fake-token-123"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"


def fake_digest(tag: str) -> str:
    return "sha256:" + hashlib.sha256(f"manifest of {tag}".encode()).hexdigest()


def manifest_body(tag: str) -> dict[str, object]:
    return {"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": [], "tag": tag}


@dataclass
class Failure:
    status: int  # 0 drops the connection without an answer
    headers: dict[str, str] = field(default_factory=dict)


class FakeRegistry:
    """Start with `with FakeRegistry(tags) as fake:`; `fake.url` is the base for both APIs."""

    def __init__(
        self,
        tags: list[str],
        *,
        page_size: int = 3,
        require_auth: bool = True,
        digest_on_head: bool = True,
        pushed: dict[str, str] | None = None,
        node_tags: list[str] | None = None,
        login: tuple[str, str] | None = None,
        basic: bool = False,
    ) -> None:
        self.tags = list(tags)
        self.node_tags = list(node_tags or [])  # library/node, the asset stage's image
        # A private registry: the token service wants this username/password (Basic); with
        # `basic` the registry itself asks for Basic auth instead of the token handshake.
        self.login = login
        self.basic = basic
        # tag -> ISO time of its last push, as Docker Hub's tag list reports it (tag_last_pushed)
        self.pushed = dict(pushed or {})
        self.page_size = page_size
        self.require_auth = require_auth
        self.digest_on_head = digest_on_head
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.failures: dict[str, list[Failure]] = defaultdict(list)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, path_prefix: str, status: int, **headers: str) -> None:
        """Answer the next request whose path starts with `path_prefix` with this failure."""
        self.failures[path_prefix].append(Failure(status, headers))

    def paths(self, method: str = "GET") -> list[str]:
        return [p for m, p, _ in self.requests if m == method]

    def __enter__(self) -> FakeRegistry:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- request handling --------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_HEAD(self) -> None:
                fake._serve(self, "HEAD")

        return Handler

    def _serve(self, req: BaseHTTPRequestHandler, method: str) -> None:
        self.requests.append((method, req.path, dict(req.headers.items())))
        parsed = urllib.parse.urlsplit(req.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        for prefix, queue in self.failures.items():
            if parsed.path.startswith(prefix) and queue:
                failure = queue.pop(0)
                if failure.status == 0:
                    req.close_connection = True
                    req.connection.close()
                    return
                self._send(req, failure.status, {"error": "injected"}, failure.headers, method)
                return
        path = parsed.path
        # library/node answers like library/python, from its own tag list.
        repo = "node" if "/library/node/" in path + "/" else "python"
        tags = self.node_tags if repo == "node" else self.tags
        path = path.replace("/library/node", "/library/python")
        if path == "/v2/repositories/library/python/tags":
            self._hub(req, query, method, tags, repo)
        elif path == "/token":
            if self.login and req.headers.get("Authorization") != self._basic_header():
                self._send(req, 401, {"details": "incorrect username or password"}, {}, method)
            else:
                self._send(req, 200, {"token": TOKEN, "access_token": TOKEN}, {}, method)
        elif path.startswith("/v2/library/python/"):
            if self.basic and req.headers.get("Authorization") != self._basic_header():
                challenge = 'Basic realm="fake-registry"'
                self._send(req, 401, {"errors": [{"code": "UNAUTHORIZED"}]},
                           {"WWW-Authenticate": challenge}, method)  # fmt: skip
            elif (
                not self.basic
                and self.require_auth
                and req.headers.get("Authorization") != f"Bearer {TOKEN}"
            ):
                challenge = (
                    f'Bearer realm="{self.url}/token",service="fake-registry",'
                    f'scope="repository:library/{repo}:pull"'
                )
                self._send(
                    req,
                    401,
                    {"errors": [{"code": "UNAUTHORIZED"}]},
                    {"WWW-Authenticate": challenge},
                    method,
                )
            elif path == "/v2/library/python/tags/list":
                self._tag_list(req, query, method, tags, repo)
            elif path.startswith("/v2/library/python/manifests/"):
                tag = urllib.parse.unquote(path.rsplit("/", 1)[1])
                self._manifest(req, tag, method, tags, repo)
            else:
                self._send(req, 404, {"errors": [{"code": "NOT_FOUND"}]}, {}, method)
        else:
            self._send(req, 404, {"message": "not found"}, {}, method)

    def _basic_header(self) -> str:
        import base64

        user, password = self.login or ("", "")
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def _hub(
        self,
        req: BaseHTTPRequestHandler,
        query: dict[str, str],
        method: str,
        tags: list[str],
        repo: str,
    ) -> None:
        name = query.get("name", "")
        page = int(query.get("page", "1"))
        size = min(int(query.get("page_size", "10")), self.page_size)
        matching = [t for t in tags if name in t]
        chunk = matching[(page - 1) * size : page * size]
        next_url = None
        if page * size < len(matching):
            next_query = urllib.parse.urlencode({**query, "page": page + 1})
            next_url = f"{self.url}/v2/repositories/library/{repo}/tags?{next_query}"
        body = {
            "count": len(matching),
            "next": next_url,
            "previous": None,
            "results": [
                {"name": t, "images": [], "tag_last_pushed": self.pushed.get(t)} for t in chunk
            ],
        }
        self._send(req, 200, body, {}, method)

    def _tag_list(
        self,
        req: BaseHTTPRequestHandler,
        query: dict[str, str],
        method: str,
        tags: list[str],
        repo: str,
    ) -> None:
        ordered = sorted(tags)
        size = min(int(query.get("n", "100")), self.page_size)
        last = query.get("last")
        start = ordered.index(last) + 1 if last in ordered else 0
        chunk = ordered[start : start + size]
        headers = {}
        if start + size < len(ordered):
            # Real registries send a relative link.
            last = urllib.parse.quote(chunk[-1])
            link = f"/v2/library/{repo}/tags/list?n={size}&last={last}"
            headers["Link"] = f'<{link}>; rel="next"'
        self._send(req, 200, {"name": f"library/{repo}", "tags": chunk}, headers, method)

    def _manifest(
        self, req: BaseHTTPRequestHandler, tag: str, method: str, tags: list[str], repo: str
    ) -> None:
        if tag not in tags:
            self._send(req, 404, {"errors": [{"code": "MANIFEST_UNKNOWN"}]}, {}, method)
            return
        if INDEX_TYPE not in req.headers.get("Accept", ""):
            # Without the index type a registry serves one platform's manifest: another digest.
            self._send(req, 404, {"errors": [{"code": "MANIFEST_UNKNOWN"}]}, {}, method)
            return
        body = manifest_body(tag)
        headers = {"Content-Type": INDEX_TYPE}
        if self.digest_on_head:
            headers["Docker-Content-Digest"] = fake_digest(
                tag if repo == "python" else f"{repo}:{tag}"
            )
        self._send(req, 200, body, headers, method)

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler,
        status: int,
        body: object,
        headers: dict[str, str],
        method: str,
    ) -> None:
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        req.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            req.send_header(key, value)
        req.end_headers()
        if method != "HEAD":
            req.wfile.write(data)
