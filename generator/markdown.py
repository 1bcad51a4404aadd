"""Repository text in GitHub markdown (job summary, pull request body): escaped per context here,
in one place.

When the action runs as a PR bot, file names, settings values, FROM lines and warning text come
from a stranger's repository. None of it may render as HTML, a link, an image, a table break, an
@mention or a cross-reference (#123, owner/repo#1) in what we post. Each function below is for
one context; callers put repository strings through the one that matches where they land:

- text(): prose, link text and table cells (markdown punctuation escaped, one line);
- code(): a code span (nothing inside renders; the fence outlasts any backtick run inside;
  `table=True` in a table cell);
- link(): a link whose URL we built (repository paths percent-encoded by url_path()).
"""

from __future__ import annotations

import re
import urllib.parse

from generator.guard import LINE_BREAKS

_ZWSP = "\u200b"  # breaks a mention or an autolink without changing what a reader sees
# The characters inline markup is made of: brackets (links, images, footnotes), emphasis and
# strike-through, code spans, table pipes, math, and the backslash itself. `&`, `<`, `>` become
# entities instead (no HTML, even escaped). Block markers only count at the start (_LEADING).
# An underscore inside a word (DATABASE_URL) never emphasises in GitHub markdown: kept readable.
_PUNCT = re.compile(r"([\\`*\[\]|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_LEADING = re.compile(r"\A(?:([#+=-])|([0-9]{1,9})([.)])(?=[ \t]|\Z))")
_BREAKS = re.compile("[" + re.escape(LINE_BREAKS) + r"\x00-\x1f\x7f-\x9f]+")
# Things GitHub links by itself in prose: @user, @org/team, #123, GH-123, a SHA, bare URLs.
_MENTION = re.compile(r"@(?=[A-Za-z0-9_-])")
_REFERENCE = re.compile(r"(?<=#)(?=[0-9])|(?<=GH-)(?=[0-9])", re.IGNORECASE)
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(?=:/)|(?<=www)(?=\.)", re.IGNORECASE)
_SHA = re.compile(r"[0-9a-f]{7,}", re.IGNORECASE)
_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#=&%+@-]+\Z", re.ASCII)


def one_line(value: object) -> str:
    """`value` as one line: every line break and control character becomes a space."""
    return _BREAKS.sub(" ", str(value)).strip()


def text(value: object) -> str:
    """Repository text for prose, link text or a table cell: renders exactly as written, inert."""
    out = one_line(value)
    out = _MENTION.sub("@" + _ZWSP, out)
    out = _REFERENCE.sub(_ZWSP, out)
    out = _AUTOLINK.sub(_ZWSP, out)
    # A hex word of 7+ characters is linked as a commit: no run of 7 is left whole.
    out = _SHA.sub(lambda m: _ZWSP.join(re.findall(".{1,6}", m.group())), out)
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _PUNCT.sub(r"\\\1", out)
    # "# x", "- x", "--" (after "- ": a rule), "1. x" at the start of a list item or quote would
    # open a block of their own.
    return _LEADING.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", out
    )


def code(value: object, table: bool = False) -> str:
    """Repository text as an inline code span (one line; backtick runs cannot close it).

    In a table cell (`table=True`) a `|` would still end the cell, code span or not: GitHub
    reads `\\|` there as the character itself.
    """
    body = one_line(value) or " "
    if table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    # A space pads content that starts or ends with a backtick (CommonMark strips one).
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def url_path(path: str) -> str:
    """A repository path for a URL: every character but letters, digits, `/._-~` encoded."""
    return urllib.parse.quote(one_line(path), safe="/")


def link(label_markdown: str, url: str | None) -> str:
    """`[label](url)` when `url` is one of ours (plain http(s), nothing to break out with); else
    the label alone. `label_markdown` must already be escaped (text() or code())."""
    if not url or not _URL.match(url):
        return label_markdown
    return f"[{label_markdown}]({url})"


def fenced(body: str, lang: str = "") -> str:
    """A fenced block holding `body` verbatim: the fence is longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`{3,}|~{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body.rstrip()}\n{fence}"
