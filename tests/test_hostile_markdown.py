"""Repository text in the job summary and the PR body: no link, image, HTML, mention, reference
or table break that the repository wrote renders (checked with a CommonMark parser)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from plan_facts import facts

from generator import markdown as md
from generator.action.report import finding_note
from generator.facts import Diagnostic, Evidence
from generator.refresh import Change
from generator.summary import FileReport, RunReport, job_summary, pr_body

PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
# What must come only from us: links, images, HTML, emphasis, headings, tables, lists, code.
STRUCTURE = {
    "link_open",
    "image",
    "html_inline",
    "html_block",
    "em_open",
    "strong_open",
    "s_open",
    "heading_open",
    "tr_open",
    "td_open",
    "bullet_list_open",
    "ordered_list_open",
    "list_item_open",
    "blockquote_open",
    "code_inline",
    "fence",
    "code_block",
    "hr",
}
LIVE = re.compile(r"@[A-Za-z0-9]|#[0-9]|GH-[0-9]|[A-Za-z]://|www\.|[0-9a-f]{7,40}", re.IGNORECASE)
PAYLOADS = [
    "x)[click](https://evil.invalid)![i](https://evil.invalid/i.png)@octocat",
    "<img src=x onerror=alert(1)> <b>bold</b> <!-- c --> <details open>",
    "@org/everyone and @octocat please look",
    "fixes #123 and octo/repo#4 and GH-5 and deadbeefcafe1234",
    "https://evil.invalid www.evil.invalid <https://evil.invalid> [a]: https://evil.invalid",
    "a | b | c\n|---|\n# heading\n- item\n> quote",
    "`code` ``` fence ``` ~~strike~~ **bold** _em_ *em* $x^2$",
    "\\`escaped backslash\\` \\[x\\](y) &lt;b&gt;",
    "line\u2028# heading\u2029- item\x85> q\x0b| t |",
    "[^1] footnote [x][y] ![alt][ref] [ref]: https://evil.invalid",
]


def structure(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for token in PARSER.parse(text):
        counts[token.type] += token.type in STRUCTURE
        for child in token.children or ():
            counts[child.type] += child.type in STRUCTURE
    return +counts


def live_text(text: str) -> list[str]:
    """Mentions, references and bare URLs left in rendered text (GitHub would link them)."""
    found = []
    for token in PARSER.parse(text):
        for child in token.children or ():
            if child.type == "text":
                found += LIVE.findall(child.content)
    return found


def report(value: str, benign_file: str = "shop/settings.py") -> RunReport:
    f = facts()
    f = replace(
        f,
        project_dir=value,
        settings=replace(f.settings, settings_module=value, wsgi_application=value),
        server=value,
    )
    return RunReport(
        mode="generate",
        project=value,
        facts=f,
        decisions=(Evidence(value, value, 3, value), Evidence("cmd", benign_file, 1, "why")),
        warnings=(Diagnostic(value, value, 2), Diagnostic(value, None, None)),
        files=(FileReport(value, "created", value, f"+{value}\n"),),
        notes=(md.text(value),),
    )


def _link(file: str, line: int | None) -> str:
    return f"https://github.com/octo/shop/blob/main/{md.url_path(file)}" + (
        f"#L{line}" if line else ""
    )


def _check(value: str) -> None:
    for render in (
        lambda r: job_summary(r, _link),
        lambda r: pr_body("Intro.", r, _link),
    ):
        benign, hostile = render(report("benign")), render(report(value))
        if md.one_line(value):  # an empty value leaves rows out; that is no markup
            assert structure(hostile) == structure(benign), value
        assert live_text(hostile) == [], value
        # Every link is one of ours: to the repository, with the path percent-encoded.
        for token in PARSER.parse(hostile):
            for child in token.children or ():
                if child.type == "link_open":
                    href = child.attrs["href"]
                    assert str(href).startswith("https://github.com/octo/shop/blob/main/")


@pytest.mark.parametrize("value", PAYLOADS)
def test_repository_text_renders_inert(value):
    _check(value)


@pytest.mark.parametrize("value", PAYLOADS)
def test_text_shows_what_the_repository_wrote(value):
    """Escaped, not mangled: the rendered text reads as written (minus line breaks)."""
    rendered = PARSER.renderInline(md.text(value))
    shown = (
        rendered.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("\u200b", "")
    )
    assert shown == md.one_line(value)


@pytest.mark.parametrize("value", PAYLOADS)
def test_code_spans_hold_any_text(value):
    tokens = PARSER.parseInline(md.code(value))[0].children
    assert [t.type for t in tokens] == ["code_inline"]
    assert tokens[0].content.strip() == md.one_line(value).strip()


def test_hand_written_from_line_in_check_findings_is_inert():
    finding = type(
        "F",
        (),
        {
            "file": "Dockerfile",
            "line": 1,
            "severity": "warning",
            "message": "FROM <img src=x> @octocat [x](https://evil.invalid) is not pinned",
        },
    )()
    note = finding_note(finding, _link)
    assert structure(note) == Counter({"link_open": 1, "code_inline": 1, "strong_open": 1})
    assert live_text(note) == []


def test_refresh_change_escapes_the_dockerfile_text():
    change = Change(
        old="python:3.12`[x](https://e.invalid)",
        new="python:3.13",
        line=1,
        kind="tag",
        image_old="python:3.12`<img src=x>",
        image_new="python:3.13",
        changelog="https://docs.python.org/release/3.13.1/whatsnew/changelog.html",
    )
    counts = structure(change.describe())
    assert counts == Counter({"code_inline": 2, "link_open": 1})


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(
                [
                    "[",
                    "]",
                    "(",
                    ")",
                    "!",
                    "<",
                    ">",
                    "@",
                    "#",
                    "1",
                    "`",
                    "|",
                    "*",
                    "_",
                    "~",
                    "\\",
                    "https://",
                    "www.",
                    "a",
                    " ",
                    "\n",
                    "\u2028",
                    "&",
                    ";",
                    "lt",
                    "$",
                    "-",
                    ".",
                ]
            ),
            max_size=30,
        ).map("".join),
    )
)
def test_property_no_markup_from_repository_text(value):
    _check(value)


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\x85", "\r\n"])
def test_sweep_log_lines_cannot_issue_workflow_commands(brk):
    from generator.sweep import RepoResult, progress_line

    line = progress_line(RepoResult("octo/shop", "skipped", f"bad value{brk}::add-mask::x"))
    assert len(line.splitlines()) == 1 and not line.startswith("::")
