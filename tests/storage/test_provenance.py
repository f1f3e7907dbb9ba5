"""Provenance: the commit recorded is qantar's own, never that of a repository qantar
happens to be installed in, and says when the checkout has uncommitted changes."""

import subprocess
from pathlib import Path

import qantar.storage.series as series


def repo(root: Path, project: str) -> Path:
    """A git repository at ``root`` whose pyproject names ``project``, with a package file
    at src/qantar/storage/series.py; returns that file."""
    module = root / "src" / "qantar" / "storage" / "series.py"
    module.parent.mkdir(parents=True)
    module.write_text("# a package file\n")
    (root / "pyproject.toml").write_text(f'[project]\nname = "{project}"\nversion = "1.0"\n')
    for args in (["init", "-q"], ["add", "."],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return module


def head(root: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()


def test_inside_another_projects_repository_no_commit_is_recorded(tmp_path, monkeypatch):
    module = repo(tmp_path / "other", "someone-elses-app")
    monkeypatch.setattr(series, "__file__", str(module))
    assert series.git_commit() is None


def test_qantars_own_checkout_records_its_commit_and_whether_it_is_dirty(tmp_path, monkeypatch):
    module = repo(tmp_path / "qantar", "qantar")
    monkeypatch.setattr(series, "__file__", str(module))
    assert series.git_commit() == head(tmp_path / "qantar")
    module.write_text("# changed, not committed\n")
    assert series.git_commit() == head(tmp_path / "qantar") + "-dirty"


def test_outside_any_repository_no_commit(tmp_path, monkeypatch):
    module = tmp_path / "site-packages" / "qantar" / "storage" / "series.py"
    module.parent.mkdir(parents=True)
    module.write_text("")
    monkeypatch.setattr(series, "__file__", str(module))
    assert series.git_commit() is None
