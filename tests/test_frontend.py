from __future__ import annotations

import json

from generator.detect.frontend import detect_frontend
from generator.facts import Diagnostics
from generator.source import LocalTree


def test_build_script_with_lockfile_and_nvmrc(make_tree):
    root = make_tree(
        {
            "package.json": json.dumps(
                {"scripts": {"lint": "eslint .", "build": "vite build --outDir static/dist"}}
            ),
            "yarn.lock": "",
            ".nvmrc": "v20.11.1\n",
            "app/manage.py": "",
        }
    )
    fe = detect_frontend(LocalTree(root), "app", Diagnostics())
    assert fe is not None
    assert (
        fe.directory,
        fe.manager,
        fe.lockfile,
        fe.build_script,
        fe.node_version,
        fe.output_dir,
    ) == (".", "yarn", "yarn.lock", "build", "20", "static/dist")
    assert fe.evidence[0].file == "package.json"


def test_lint_only_package_json_is_not_a_frontend(make_tree):
    root = make_tree(
        {"package.json": json.dumps({"scripts": {"lint": "eslint .", "format": "prettier"}})}
    )
    assert detect_frontend(LocalTree(root), ".", Diagnostics()) is None


def test_broken_package_json_is_a_warning(make_tree):
    root = make_tree({"package.json": "{not json"})
    diags = Diagnostics()
    assert detect_frontend(LocalTree(root), ".", diags) is None
    assert diags.items[0].file == "package.json" and diags.items[0].line == 1


def test_node_version_source_and_end_of_life_warning(make_tree):
    from datetime import date

    from generator.detect.frontend import node_eol_warning

    root = make_tree(
        {"package.json": json.dumps({"scripts": {"build": "vite build"}}), ".node-version": "22\n"}
    )
    fe = detect_frontend(LocalTree(root), ".", Diagnostics())
    assert (fe.node_version, fe.node_version_source) == ("22", ".node-version")
    assert node_eol_warning("22", date(2026, 11, 24)) is None
    assert "Node 20 reached end of life on 2026-04-30" in node_eol_warning("20", date(2026, 11, 24))
    assert node_eol_warning("99", date(2026, 11, 24)) is None  # unknown: no guess
