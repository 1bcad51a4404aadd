"""A local GitHub REST server: exactly the endpoints PyGithub calls to open a pull request.

Real HTTP on 127.0.0.1 in a background thread, with in-memory state (objects, refs, pulls) that
tests inspect. Git objects are hashed the way git hashes them, so blob SHAs computed by the client
match the server's, as they do on github.com. Failures (5xx, 403 with GitHub's exact messages) are
injected per request with `FakeGitHub.fail(...)`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "ghs_fake_token_1234567890"
# Who commits made with the workflow token are by, as GitHub shows them.
BOT = {
    "name": "github-actions[bot]",
    "email": "41898282+github-actions[bot]@users.noreply.github.com",
}


def git_hash(kind: str, data: bytes) -> str:
    """The object id git gives `data` of type `kind` (blob, tree, commit)."""
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


@dataclass
class Repo:
    owner: str
    name: str
    default_branch: str = "main"
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "heads/main" -> commit sha
    pulls: list[dict[str, Any]] = field(default_factory=list)
    # What the repository listing shows (the sweep filters on it).
    archived: bool = False
    fork: bool = False
    created_at: str = "2026-01-01T00:00:00Z"
    pushed_at: str = "2026-01-01T00:00:00Z"
    # Blocks the tree listing with this status (a repository the token cannot read).
    unreadable: int | None = None
    writable: bool = True  # the token's `push` permission, as the listing reports it

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    # --- git objects -------------------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        sha = git_hash("blob", data)
        self.blobs[sha] = data
        return sha

    def put_tree(self, entries: list[dict[str, str]]) -> str:
        entries = sorted(entries, key=lambda e: e["path"] + ("/" if e["type"] == "tree" else ""))
        raw = b"".join(
            f"{e['mode'].lstrip('0')} {e['path']}\0".encode() + bytes.fromhex(e["sha"])
            for e in entries
        )
        sha = git_hash("tree", raw)
        self.trees[sha] = entries
        return sha

    def build_tree(self, files: dict[str, tuple[str, str]]) -> str:
        """Store nested trees for flat {path: (mode, blob sha)} and return the root tree sha."""
        here: list[dict[str, str]] = []
        subdirs: dict[str, dict[str, tuple[str, str]]] = {}
        for path, (mode, sha) in files.items():
            head, _, rest = path.partition("/")
            if rest:
                subdirs.setdefault(head, {})[rest] = (mode, sha)
            else:
                here.append({"path": head, "mode": mode, "type": "blob", "sha": sha})
        for name, sub in subdirs.items():
            here.append(
                {"path": name, "mode": "040000", "type": "tree", "sha": self.build_tree(sub)}
            )
        return self.put_tree(here)

    def flatten(self, tree_sha: str, prefix: str = "") -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for e in self.trees[tree_sha]:
            if e["type"] == "tree":
                out.update(self.flatten(e["sha"], prefix + e["path"] + "/"))
            else:
                out[prefix + e["path"]] = (e["mode"], e["sha"])
        return out

    def put_commit(
        self,
        tree: str,
        parents: list[str],
        message: str,
        author: dict[str, str] | None = None,
        verified: bool = False,
    ) -> str:
        author = author or {"name": "Test", "email": "test@example.com"}
        author = {"date": "2024-01-01T00:00:00Z", **author}
        raw = json.dumps([tree, parents, message, author], sort_keys=True).encode()
        sha = git_hash("commit", raw)
        self.commits[sha] = {
            "tree": tree,
            "parents": parents,
            "message": message,
            "author": author,
            "verified": verified,
        }
        return sha

    # --- helpers for tests -------------------------------------------------------------------

    def files_at(self, ref: str) -> dict[str, str]:
        """Text of every file on a branch (`ref` like "main") or at a commit sha."""
        sha = self.refs.get(f"heads/{ref}", ref)
        flat = self.flatten(self.commits[sha]["tree"])
        return {path: self.blobs[blob].decode() for path, (_, blob) in flat.items()}

    def commit_count(self) -> int:
        return len(self.commits)

    def open_pulls(self) -> list[dict[str, Any]]:
        return [p for p in self.pulls if p["state"] == "open"]

    def close_pull(self, number: int, merged: bool = False, delete_branch: bool = False) -> None:
        """A person closes (or merges) the pull request; GitHub keeps its head commit."""
        pull = next(p for p in self.pulls if p["number"] == number)
        pull["head_sha"] = self.refs.get(f"heads/{pull['head']}", pull.get("head_sha", ""))
        pull["state"], pull["merged"] = "closed", merged
        if merged:
            self.refs[f"heads/{pull['base']}"] = pull["head_sha"]
        if delete_branch:
            self.refs.pop(f"heads/{pull['head']}", None)


class FakeGitHub:
    """The server. Use as a context manager; `api_url` goes into GITHUB_API_URL."""

    def __init__(self, prefix: str = "", token: str = TOKEN) -> None:
        self.prefix = prefix.rstrip("/")  # "/api/v3" imitates GitHub Enterprise Server
        self.token = token
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) in order
        self.bodies: list[tuple[str, str, Any]] = []  # (method, path, JSON body) in order
        self.failures: list[Failure] = []
        # (method, path regex, callback(server)) run once, just before a matching request is
        # answered: what another run or a person does meanwhile.
        self.hooks: list[tuple[str, re.Pattern[str], Any]] = []
        self.orgs: set[str] = set()  # owners answering /orgs/NAME; others are users
        # Calls left in the primary rate limit (sent in X-RateLimit-* headers); None: no headers.
        self.rate_remaining: int | None = None
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def api_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_repo(self, full_name: str, files: dict[str, str], default_branch: str = "main") -> Repo:
        """A repository whose default branch has one commit holding `files`."""
        owner, name = full_name.split("/")
        repo = Repo(owner, name, default_branch)
        tree = repo.build_tree(
            {path: ("100644", repo.put_blob(text.encode())) for path, text in files.items()}
        )
        repo.refs[f"heads/{default_branch}"] = repo.put_commit(tree, [], "Initial commit")
        self.repos[full_name] = repo
        return repo

    def add_repo_from_dir(
        self, full_name: str, directory: Path, default_branch: str = "main"
    ) -> Repo:
        """A repository holding DIRECTORY as git would store it: symlinks as mode 120000 blobs
        of their target, executables 100755; nothing is followed out of the directory."""
        owner, name = full_name.split("/")
        repo = Repo(owner, name, default_branch)
        files: dict[str, tuple[str, str]] = {}
        for dirpath, dirnames, filenames in os.walk(directory):
            for entry in sorted(dirnames):
                full = Path(dirpath, entry)
                if full.is_symlink():  # os.walk lists links to directories here, never enters
                    rel = full.relative_to(directory).as_posix()
                    files[rel] = ("120000", repo.put_blob(os.readlink(full).encode()))
            for entry in filenames:
                full = Path(dirpath, entry)
                rel = full.relative_to(directory).as_posix()
                if full.is_symlink():
                    files[rel] = ("120000", repo.put_blob(os.readlink(full).encode()))
                elif full.is_file():
                    mode = "100755" if os.access(full, os.X_OK) else "100644"
                    files[rel] = (mode, repo.put_blob(full.read_bytes()))
        tree = repo.build_tree(files)
        repo.refs[f"heads/{default_branch}"] = repo.put_commit(tree, [], "Initial commit")
        self.repos[full_name] = repo
        return repo

    def push(self, full_name: str, branch: str, files: dict[str, str], message: str) -> str:
        """Someone else commits to `branch` (the base moves on)."""
        repo = self.repos[full_name]
        parent = repo.refs[f"heads/{branch}"]
        flat = repo.flatten(repo.commits[parent]["tree"])
        flat.update({p: ("100644", repo.put_blob(t.encode())) for p, t in files.items()})
        sha = repo.put_commit(repo.build_tree(flat), [parent], message)
        repo.refs[f"heads/{branch}"] = sha
        return sha

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        message: str = "Server Error",
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next `times` requests matching method and path answer `status` with `message`."""
        self.failures.append(
            Failure(
                method,
                re.compile(path_regex),
                status,
                {"message": message, "documentation_url": "https://docs.github.com/rest"},
                headers or {},
                times,
            )
        )

    def requests_with_body(self, method: str, path_regex: str) -> list[Any]:
        """The JSON bodies of the requests that matched, in order (failed ones excluded)."""
        rx = re.compile(path_regex)
        return [b for m, p, b in self.bodies if m == method and rx.search(p)]

    def before(self, method: str, path_regex: str, callback: Any) -> None:
        """Run `callback(self)` once, just before the next matching request is answered."""
        self.hooks.append((method, re.compile(path_regex), callback))

    def count(self, method: str, path_regex: str) -> int:
        """How many requests matched (after the prefix is removed)."""
        rx = re.compile(path_regex)
        return sum(1 for m, p in self.requests if m == method and rx.search(p))


def _handler_for(server: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        fake = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment: no 40 ms Nagle/delayed-ACK stall per request.
    disable_nagle_algorithm = True
    wbufsize = -1

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # --- plumbing ----------------------------------------------------------------------------

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if self.fake.rate_remaining is not None:
            self.send_header("X-RateLimit-Limit", "5000")
            self.send_header("X-RateLimit-Remaining", str(self.fake.rate_remaining))
            self.send_header("X-RateLimit-Reset", "4102444800")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _base(self) -> str:
        host, port = self.fake.httpd.server_address[:2]
        return f"http://{host}:{port}{self.fake.prefix}"

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        fake = self.fake
        if not path.startswith(fake.prefix + "/"):
            return self._send(404, {"message": "Not Found"})
        path = path[len(fake.prefix) :]
        with fake.lock:
            fake.requests.append((method, path))
            if fake.rate_remaining is not None:
                fake.rate_remaining = max(fake.rate_remaining - 1, 0)
            auth = self.headers.get("Authorization", "")
            if auth.split(" ")[-1] != fake.token:
                return self._send(401, {"message": "Bad credentials"})
            for hook in list(fake.hooks):
                if hook[0] == method and hook[1].search(path):
                    fake.hooks.remove(hook)
                    hook[2](fake)
            for f in fake.failures:
                if f.times > 0 and f.method == method and f.pattern.search(path):
                    f.times -= 1
                    return self._send(f.status, f.body, f.headers)
            body = json.loads(raw) if raw else None
            headers: dict[str, str] = {}
            fake.bodies.append((method, path, body))
            try:
                if path.startswith(("/orgs/", "/users/")):
                    status, out, headers = self._owner_route(method, path, query)
                else:
                    status, out = self._route(method, path, query, body)
            except KeyError as missing:
                status, out = 404, {"message": f"Not Found ({missing})"}
            self._send(status, out, headers)

    def _owner_route(
        self, method: str, path: str, query: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        """/orgs/NAME, /users/NAME and their repository listings, paginated as GitHub does."""
        m = re.fullmatch(r"/(orgs|users)/([^/]+)(/repos)?", path)
        if method != "GET" or not m:
            return 404, {"message": "Not Found"}, {}
        kind, owner, listing = m[1], m[2], m[3]
        if (kind == "orgs") != (owner in self.fake.orgs):
            return 404, {"message": "Not Found"}, {}
        if not listing:
            kind_name = "Organization" if kind == "orgs" else "User"
            return 200, {"login": owner, "id": 7, "type": kind_name}, {}
        repos = [r for r in self.fake.repos.values() if r.owner == owner]
        repos.sort(key=lambda r: r.created_at, reverse=query.get("direction", "desc") == "desc")
        per_page = int(query.get("per_page", 30))
        page = int(query.get("page", 1))
        chunk = repos[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(repos):
            nxt = f"{self._base()}{path}?per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return 200, [self._repo_json(r) for r in chunk], headers

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not m:
            return 404, {"message": "Not Found"}
        repo = self.fake.repos[f"{m[1]}/{m[2]}"]
        rest = unquote(m[3] or "")
        url = f"{self._base()}/repos/{repo.full_name}"
        routes = [
            ("GET", r"", self._repo),
            ("GET", r"/git/refs?/(.+)", self._get_ref),
            ("POST", r"/git/refs", self._create_ref),
            ("PATCH", r"/git/refs/(.+)", self._update_ref),
            ("DELETE", r"/git/refs/(.+)", self._delete_ref),
            ("POST", r"/git/blobs", self._create_blob),
            ("GET", r"/git/blobs/([0-9a-f]+)", self._get_blob),
            ("GET", r"/git/trees/([^/]+)", self._get_tree),
            ("POST", r"/git/trees", self._create_tree),
            ("GET", r"/git/commits/([0-9a-f]+)", self._get_commit),
            ("POST", r"/git/commits", self._create_commit),
            ("GET", r"/pulls", self._list_pulls),
            ("POST", r"/pulls", self._create_pull),
            ("GET", r"/pulls/(\d+)", self._get_pull),
            ("PATCH", r"/pulls/(\d+)", self._update_pull),
            ("POST", r"/issues/(\d+)/labels", self._add_labels),
            ("POST", r"/issues/(\d+)/comments", self._add_comment),
            ("POST", r"/issues/(\d+)/assignees", self._add_assignees),
            ("POST", r"/pulls/(\d+)/requested_reviewers", self._request_reviewers),
        ]
        for verb, pattern, handler in routes:
            hit = re.fullmatch(pattern, rest)
            if verb == method and hit:
                return handler(repo, url, query, body, *hit.groups())
        return 404, {"message": f"Not Found: {method} {path}"}

    # --- endpoints ---------------------------------------------------------------------------

    def _repo(self, repo: Repo, url: str, query: dict, body: Any) -> tuple[int, Any]:
        return 200, self._repo_json(repo)

    def _repo_json(self, repo: Repo) -> dict[str, Any]:
        return {
            "id": 1,
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": {"login": repo.owner, "type": "User"},
            "default_branch": repo.default_branch,
            "url": f"{self._base()}/repos/{repo.full_name}",
            "html_url": f"https://github.example/{repo.full_name}",
            "archived": repo.archived,
            "fork": repo.fork,
            "size": 0 if not repo.blobs else max(1, sum(map(len, repo.blobs.values())) // 1024),
            "created_at": repo.created_at,
            "pushed_at": repo.pushed_at,
            "permissions": {"admin": False, "push": repo.writable, "pull": True},
        }

    def _ref_json(self, repo: Repo, url: str, ref: str) -> dict[str, Any]:
        sha = repo.refs[ref]
        return {
            "ref": f"refs/{ref}",
            "url": f"{url}/git/refs/{ref}",
            "object": {"sha": sha, "type": "commit", "url": f"{url}/git/commits/{sha}"},
        }

    def _get_ref(self, repo: Repo, url: str, query: dict, body: Any, ref: str) -> tuple[int, Any]:
        if ref not in repo.refs:
            return 404, {"message": "Not Found"}
        return 200, self._ref_json(repo, url, ref)

    def _create_ref(self, repo: Repo, url: str, query: dict, body: Any) -> tuple[int, Any]:
        ref = body["ref"].removeprefix("refs/")
        if ref in repo.refs:
            return 422, {"message": "Reference already exists"}
        if body["sha"] not in repo.commits:
            return 422, {"message": "Object does not exist"}
        repo.refs[ref] = body["sha"]
        return 201, self._ref_json(repo, url, ref)

    def _update_ref(
        self, repo: Repo, url: str, query: dict, body: Any, ref: str
    ) -> tuple[int, Any]:
        if ref not in repo.refs:
            return 422, {"message": "Reference does not exist"}
        new = body["sha"]
        if not body.get("force") and repo.refs[ref] not in repo.commits[new]["parents"]:
            return 422, {"message": "Update is not a fast forward"}
        repo.refs[ref] = new
        return 200, self._ref_json(repo, url, ref)

    def _delete_ref(
        self, repo: Repo, url: str, query: dict, body: Any, ref: str
    ) -> tuple[int, Any]:
        if ref not in repo.refs:
            return 422, {"message": "Reference does not exist"}
        del repo.refs[ref]
        return 204, None

    def _create_blob(self, repo: Repo, url: str, query: dict, body: Any) -> tuple[int, Any]:
        content = body["content"]
        data = base64.b64decode(content) if body.get("encoding") == "base64" else content.encode()
        sha = repo.put_blob(data)
        return 201, {"sha": sha, "url": f"{url}/git/blobs/{sha}"}

    def _get_blob(self, repo: Repo, url: str, query: dict, body: Any, sha: str) -> tuple[int, Any]:
        data = repo.blobs[sha]
        return 200, {
            "sha": sha,
            "url": f"{url}/git/blobs/{sha}",
            "size": len(data),
            "encoding": "base64",
            "content": base64.encodebytes(data).decode(),
        }

    def _tree_json(self, repo: Repo, url: str, sha: str, recursive: bool) -> dict[str, Any]:
        if recursive:
            flat = repo.flatten(sha)
            entries = [
                {"path": p, "mode": mode, "type": "blob", "sha": s} for p, (mode, s) in flat.items()
            ]
        else:
            entries = list(repo.trees[sha])
        for e in entries:
            e["url"] = f"{url}/git/{e['type']}s/{e['sha']}"
            if e["type"] == "blob":
                e["size"] = len(repo.blobs[e["sha"]])
        return {"sha": sha, "url": f"{url}/git/trees/{sha}", "tree": entries, "truncated": False}

    def _get_tree(self, repo: Repo, url: str, query: dict, body: Any, sha: str) -> tuple[int, Any]:
        if repo.unreadable:
            return repo.unreadable, {"message": "Resource not accessible by integration"}
        if f"heads/{sha}" in repo.refs:  # a branch name, as GitHub accepts
            sha = repo.refs[f"heads/{sha}"]
        if sha in repo.commits:  # as on GitHub, a commit names its tree
            sha = repo.commits[sha]["tree"]
        return 200, self._tree_json(repo, url, sha, bool(query.get("recursive")))

    def _create_tree(self, repo: Repo, url: str, query: dict, body: Any) -> tuple[int, Any]:
        flat = repo.flatten(body["base_tree"]) if body.get("base_tree") else {}
        for e in body["tree"]:
            if e.get("sha") is None and "content" not in e:
                flat.pop(e["path"], None)
                continue
            sha = e.get("sha") or repo.put_blob(e["content"].encode())
            if sha not in repo.blobs:
                return 422, {"message": f"tree.sha {sha} is not a valid blob"}
            flat[e["path"]] = (e["mode"], sha)
        sha = repo.build_tree(flat)
        return 201, self._tree_json(repo, url, sha, False)

    def _commit_json(self, repo: Repo, url: str, sha: str) -> dict[str, Any]:
        c = repo.commits[sha]
        return {
            "sha": sha,
            "url": f"{url}/git/commits/{sha}",
            "message": c["message"],
            "author": c["author"],
            "committer": c["author"],
            "verification": {
                "verified": c.get("verified", False),
                "reason": "valid" if c.get("verified") else "unsigned",
                "signature": "-----BEGIN PGP SIGNATURE-----" if c.get("verified") else None,
                "payload": None,
            },
            "tree": {"sha": c["tree"], "url": f"{url}/git/trees/{c['tree']}"},
            "parents": [{"sha": p, "url": f"{url}/git/commits/{p}"} for p in c["parents"]],
        }

    def _get_commit(
        self, repo: Repo, url: str, query: dict, body: Any, sha: str
    ) -> tuple[int, Any]:
        return 200, self._commit_json(repo, url, sha)

    def _create_commit(self, repo: Repo, url: str, query: dict, body: Any) -> tuple[int, Any]:
        if body["tree"] not in repo.trees:
            return 422, {"message": "Tree SHA does not exist"}
        author = {k: v for k, v in (body.get("author") or {}).items() if k in ("name", "email")}
        # As on github.com: without author and committer the commit is the token's (here the
        # workflow token's bot) and GitHub signs it; a given identity cannot be signed.
        signed = not author and not body.get("committer")
        author = author or dict(BOT)
        sha = repo.put_commit(body["tree"], body["parents"], body["message"], author, signed)
        return 201, self._commit_json(repo, url, sha)

    def _pull_json(self, repo: Repo, url: str, pull: dict[str, Any]) -> dict[str, Any]:
        n = pull["number"]
        head_sha = pull.get("head_sha") or repo.refs.get(f"heads/{pull['head']}", "")
        if pull["state"] == "open":
            head_sha = repo.refs.get(f"heads/{pull['head']}", head_sha)
        return {
            "id": 1000 + n,
            "number": n,
            "state": pull["state"],
            "title": pull["title"],
            "body": pull["body"],
            "draft": pull["draft"],
            "merged": pull.get("merged", False),
            "merged_at": "2024-01-02T00:00:00Z" if pull.get("merged") else None,
            "url": f"{url}/pulls/{n}",
            "issue_url": f"{url}/issues/{n}",
            "html_url": f"https://github.example/{repo.full_name}/pull/{n}",
            "head": {"ref": pull["head"], "label": f"{repo.owner}:{pull['head']}", "sha": head_sha},
            "base": {"ref": pull["base"], "label": f"{repo.owner}:{pull['base']}"},
            "labels": [{"name": name} for name in pull["labels"]],
            "assignees": [{"login": login} for login in pull["assignees"]],
            "requested_reviewers": [{"login": login} for login in pull["reviewers"]],
            "requested_teams": [{"slug": slug} for slug in pull["team_reviewers"]],
        }

    def _list_pulls(self, repo: Repo, url: str, query: dict, body: Any) -> tuple[int, Any]:
        out = []
        for p in repo.pulls:
            if query.get("state", "open") not in ("all", p["state"]):
                continue
            if "head" in query and query["head"] != f"{repo.owner}:{p['head']}":
                continue
            if "base" in query and query["base"] != p["base"]:
                continue
            out.append(self._pull_json(repo, url, p))
        return 200, out

    def _create_pull(self, repo: Repo, url: str, query: dict, body: Any) -> tuple[int, Any]:
        head = body["head"].split(":")[-1]
        if f"heads/{head}" not in repo.refs:
            return 422, {"message": "Validation Failed", "errors": [{"field": "head"}]}
        for p in repo.open_pulls():
            if p["head"] == head and p["base"] == body["base"]:
                msg = f"A pull request already exists for {repo.owner}:{head}."
                return 422, {"message": "Validation Failed", "errors": [{"message": msg}]}
        pull = {
            "number": len(repo.pulls) + 1,
            "state": "open",
            "title": body["title"],
            "body": body.get("body") or "",
            "draft": bool(body.get("draft")),
            "head": head,
            "base": body["base"],
            "labels": [],
            "assignees": [],
            "reviewers": [],
            "team_reviewers": [],
        }
        repo.pulls.append(pull)
        return 201, self._pull_json(repo, url, pull)

    def _pull(self, repo: Repo, number: str) -> dict[str, Any]:
        for p in repo.pulls:
            if p["number"] == int(number):
                return p
        raise KeyError(f"pull {number}")

    def _get_pull(self, repo: Repo, url: str, query: dict, body: Any, n: str) -> tuple[int, Any]:
        return 200, self._pull_json(repo, url, self._pull(repo, n))

    def _update_pull(self, repo: Repo, url: str, query: dict, body: Any, n: str) -> tuple[int, Any]:
        pull = self._pull(repo, n)
        if body.get("state") == "closed" and pull["state"] == "open":
            repo.close_pull(pull["number"])
        for key in ("title", "body", "state", "base"):
            if key in body:
                pull[key] = body[key]
        return 200, self._pull_json(repo, url, pull)

    def _add_labels(self, repo: Repo, url: str, query: dict, body: Any, n: str) -> tuple[int, Any]:
        pull = self._pull(repo, n)
        labels = body["labels"] if isinstance(body, dict) else body
        pull["labels"] = sorted(set(pull["labels"]) | set(labels))
        return 200, [{"name": name} for name in pull["labels"]]

    def _add_comment(self, repo: Repo, url: str, query: dict, body: Any, n: str) -> tuple[int, Any]:
        pull = self._pull(repo, n)
        pull.setdefault("comments", []).append(body["body"])
        return 201, {"id": len(pull["comments"]), "body": body["body"]}

    def _add_assignees(
        self, repo: Repo, url: str, query: dict, body: Any, n: str
    ) -> tuple[int, Any]:
        pull = self._pull(repo, n)
        pull["assignees"] = sorted(set(pull["assignees"]) | set(body["assignees"]))
        return 201, {"number": int(n), "assignees": [{"login": a} for a in pull["assignees"]]}

    def _request_reviewers(
        self, repo: Repo, url: str, query: dict, body: Any, n: str
    ) -> tuple[int, Any]:
        pull = self._pull(repo, n)
        pull["reviewers"] = sorted(set(pull["reviewers"]) | set(body.get("reviewers", [])))
        teams = set(body.get("team_reviewers", []))
        pull["team_reviewers"] = sorted(set(pull["team_reviewers"]) | teams)
        return 201, self._pull_json(repo, url, pull)
