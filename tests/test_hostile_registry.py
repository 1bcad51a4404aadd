"""A hostile (or broken) registry: capped answers, a total deadline, odd JSON, fake tags."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator.refresh import refresh_text
from generator.registry import MAX_RESPONSE_BYTES, RegistryClient, RegistryError

Handler = Callable[[BaseHTTPRequestHandler], None]


@contextmanager
def serve(handle: Handler) -> Iterator[str]:
    class H(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with suppress(BrokenPipeError, ConnectionResetError):
                handle(self)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def client(url: str, **kw: object) -> RegistryClient:
    return RegistryClient(
        registry=url,
        hub=url,
        retries=0,
        sleep=lambda s: None,
        **kw,  # type: ignore[arg-type]
    )


def _json(handler: BaseHTTPRequestHandler, body: bytes, length: int | None = None) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    handler.wfile.write(body)


def test_declared_huge_answer_is_refused_before_reading():
    def handle(h: BaseHTTPRequestHandler) -> None:
        _json(h, b"{}", length=1_500_000_000)

    with serve(handle) as url, pytest.raises(RegistryError, match="more than 8 MB"):
        client(url).tags("3.12")


@pytest.mark.parametrize("chunked", [False, True])
def test_undeclared_huge_answer_is_cut_at_the_cap(chunked):
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        block = b" " * 65536
        for _ in range(MAX_RESPONSE_BYTES // len(block) + 50):
            h.wfile.write(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
        if chunked:
            h.wfile.write(b"0\r\n\r\n")
        h.close_connection = True

    with serve(handle) as url, pytest.raises(RegistryError, match="more than 8 MB"):
        client(url).tags("3.12")


@pytest.mark.parametrize("where", ["body", "headers"])
def test_drip_feeding_server_stops_at_the_deadline(where):
    def handle(h: BaseHTTPRequestHandler) -> None:
        if where == "headers":
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(100):
                h.wfile.write(b"X")
                h.wfile.flush()
                time.sleep(0.2)
            return
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.2)

    with serve(handle) as url:
        c = client(url, deadline=1.0, timeout=10.0)
        started = time.monotonic()
        with pytest.raises(RegistryError, match="did not answer within 1 s in total"):
            c.tags("3.12")
        assert time.monotonic() - started < 4
        with pytest.raises(RegistryError, match="in total"):
            c.digest("3.12")  # the deadline is the client's, not per request


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_deeply_nested_json_is_a_registry_error(depth):
    def handle(h: BaseHTTPRequestHandler) -> None:
        _json(h, b"[" * depth + b"]" * depth)

    with serve(handle) as url, pytest.raises(RegistryError):
        client(url).tags("3.12")


@pytest.mark.parametrize(
    "results",
    [
        [{"name": "3.12.8-slim\nRUN x"}, {"name": "3.12.8-slim"}],
        [{"name": "３.12.9"}, {"name": "3.12.8-slim"}],
        [{"name": ["3.12.9"]}, {"name": None}, "x", {"name": "3.12.8-slim"}],
        [{"name": "3.12.9 -slim"}, {"name": "a" * 200}, {"name": "3.12.8-slim"}],
    ],
)
def test_listed_names_that_are_no_tags_are_dropped(results):
    def handle(h: BaseHTTPRequestHandler) -> None:
        _json(h, json.dumps({"results": results, "next": None}).encode())

    with serve(handle) as url:
        assert client(url).tags("3.12") == ["3.12.8-slim"]


@pytest.mark.parametrize("bad", ["sha256:xyz", "sha256:" + "a" * 64 + "\nRUN x", "md5:abc", ""])
def test_a_digest_that_is_no_digest_is_refused(bad):
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        if bad:
            h.send_header("Docker-Content-Digest", bad.replace("\n", " "))
        h.send_header("Content-Length", "0")
        h.end_headers()

    with serve(handle) as url:
        if bad:
            with pytest.raises(RegistryError, match="not sha256"):
                client(url).digest("3.12.8-slim")
        else:
            assert client(url).digest("3.12.8-slim").startswith("sha256:")


@pytest.mark.parametrize("fake", ["3.12.999-slim", "3.12.40-slim", "3.40.1-slim", "3.99-slim"])
def test_refresh_never_moves_to_a_tag_that_is_no_python_release(fake):
    result = refresh_text("FROM python:3.12.7-slim\n", ["3.12.8-slim", fake], allow_minor=True)
    assert result.new_text == "FROM python:3.12.8-slim\n"
    assert any("name no Python release" in w for w in result.warnings)


def test_refused_connection_is_quick_and_clear():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RegistryError, match="could not reach"):
        client(f"http://127.0.0.1:{port}").tags("3.12")
