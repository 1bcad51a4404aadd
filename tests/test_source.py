"""LocalTree reads a stranger's repository safely: no escapes, no loops, no crashes on odd bytes."""

from __future__ import annotations

import os

from generator.source import MAX_READ_BYTES, LocalTree


def test_utf8_bom_utf16_and_latin1_are_decoded(make_tree):
    root = make_tree(
        {
            "a.txt": "\ufeffDjango==5.2\n".encode("utf-8"),
            "b.txt": "Django==5.2\n".encode("utf-16"),
            "c.txt": "# caf\xe9\nDjango\n".encode("latin-1"),
        }
    )
    tree = LocalTree(root)
    assert tree.read_text("a.txt") == "Django==5.2\n"
    assert tree.read_text("b.txt") == "Django==5.2\n"
    assert tree.read_text("c.txt").endswith("Django\n")


def test_binary_file_is_a_warning(make_tree):
    root = make_tree({"requirements.txt": b"\x00\x01\x02PK\x03\x04"})
    tree = LocalTree(root)
    assert tree.read_text("requirements.txt") is None
    assert tree.diagnostics.items[0].file == "requirements.txt"
    assert "binary" in tree.diagnostics.items[0].message


def test_huge_file_is_truncated_at_a_line_boundary(make_tree):
    line = "django-something==1.0\n"
    root = make_tree({"requirements.txt": line * (MAX_READ_BYTES // len(line) + 1000)})
    tree = LocalTree(root)
    text = tree.read_text("requirements.txt")
    assert len(text) <= MAX_READ_BYTES and text.endswith("\n")
    assert "larger than" in tree.diagnostics.items[0].message


def test_symlink_out_of_the_tree_is_not_read(make_tree, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    root = make_tree({"x.txt": "x"})
    os.symlink(secret, root / "requirements.txt")
    tree = LocalTree(root)
    assert tree.read_text("requirements.txt") is None
    assert "outside the repository" in tree.diagnostics.items[0].message
    assert "requirements.txt" not in list(tree.walk_files())
    assert tree.read_text("../secret.txt") is None


def test_symlink_inside_the_tree_is_followed(make_tree):
    root = make_tree({"app/manage.py": "print()"})
    os.symlink("app/manage.py", root / "manage.py")
    tree = LocalTree(root)
    assert tree.read_text("manage.py") == "print()"
    assert "manage.py" in list(tree.walk_files())


def test_symlink_loop_does_not_hang(make_tree):
    root = make_tree({"a/manage.py": ""})
    os.symlink("..", root / "a" / "loop")
    os.symlink("self", root / "self")
    tree = LocalTree(root)
    assert sorted(tree.walk_files()) == ["a/manage.py"]
    assert tree.read_text("self") is None


def test_walk_skips_dependencies_and_virtualenvs(make_tree):
    root = make_tree(
        {
            "manage.py": "",
            "node_modules/x/manage.py": "",
            ".git/manage.py": "",
            "myenv/pyvenv.cfg": "",
            "myenv/lib/manage.py": "",
            "other/bin/activate": "",
            "other/manage.py": "",
            "src/app/manage.py": "",
        }
    )
    assert list(LocalTree(root).walk_files()) == ["manage.py", "src/app/manage.py"]
