"""``innertalk operator …`` as an operator runs it: real processes on one SQLite file, the
password piped on stdin; refusals are one line with exit code 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.conftest import Run, clean_env

ENV = clean_env(ENCRYPTION_KEY="q" * 43 + "=")
PASSWORD = "correct horse battery"


def test_an_operator_is_added_listed_enrolled_and_removed(innertalk: Run, tmp_path: Path) -> None:
    """add (stdin password), list, totp (otpauth URI), remove: only an argon2id hash and a
    sealed TOTP secret reach the database."""
    assert innertalk("tenant", "add", "clinic", env=ENV).returncode == 0
    added = innertalk("operator", "add", "amy", "--tenant", "clinic", input=PASSWORD + "\n",
                      env=ENV)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "operator amy added (clinic)"
    assert innertalk("operator", "add", "root", "--tenant", "all", input=PASSWORD,
                     env=ENV).returncode == 0  # fmt: skip
    enrolled = innertalk("operator", "totp", "amy", env=ENV)
    assert enrolled.returncode == 0, enrolled.stderr
    uri = enrolled.stdout.strip()
    assert uri.startswith("otpauth://totp/InnerTalk:amy?secret=")
    listed = innertalk("operator", "list", env=ENV).stdout.splitlines()
    assert [line.split("\t")[:3] for line in listed[1:]] == [
        ["amy", "clinic", "yes"], ["root", "all", "no"]
    ]  # fmt: skip

    with sqlite3.connect(tmp_path / "data" / "innertalk.db") as db:
        dump = "\n".join(str(row) for row in db.iterdump())
    assert PASSWORD not in dump
    assert "$argon2id$" in dump
    assert uri.split("secret=")[1].split("&")[0] not in dump

    assert innertalk("operator", "remove", "amy", env=ENV).returncode == 0
    assert "amy" not in innertalk("operator", "list", env=ENV).stdout


def test_bad_operator_commands_are_one_line_with_exit_code_2(innertalk: Run) -> None:
    """A short password, an unknown tenant, a taken name and an unknown operator."""
    cases = [
        (("operator", "add", "amy", "--tenant", "all"), "short", "at least 12 characters"),
        (("operator", "add", "amy", "--tenant", "nowhere"), PASSWORD, "no tenant 'nowhere'"),
        (("operator", "remove", "ghost"), "", "no operator 'ghost'"),
        (("operator", "totp", "ghost"), "", "no operator 'ghost'"),
    ]
    for args, password, message in cases:
        result = innertalk(*args, input=password, env=ENV)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        last = result.stderr.splitlines()[-1]
        assert last.startswith("innertalk: ")
        assert message in last
    assert innertalk("operator", "add", "amy", "--tenant", "all", input=PASSWORD,
                     env=ENV).returncode == 0  # fmt: skip
    taken = innertalk("operator", "add", "amy", "--tenant", "all", input=PASSWORD, env=ENV)
    assert taken.returncode == 2
    assert "already exists" in taken.stderr
