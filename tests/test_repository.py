"""What the repository holds: sources, not the databases that running them makes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def git(*args: str) -> subprocess.CompletedProcess[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_no_database_file_is_committed() -> None:
    tracked = git("ls-files", "--", "*.sqlite3", "*.sqlite3-*", "*.db").stdout.split()
    assert tracked == []


@pytest.mark.parametrize(
    "path",
    ["testproject/db.sqlite3", "testproject/test-db.sqlite3", "testproject/db.sqlite3-wal"],
)
def test_database_files_of_the_testproject_are_ignored(path: str) -> None:
    assert git("check-ignore", "-q", path).returncode == 0, f"{path} is not ignored"
