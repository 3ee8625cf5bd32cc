"""``innertalk tenant …``/``apikey …`` refuse bad input with one line naming the problem and
exit code 2, no traceback (the happy path runs as a real process in tests/e2e)."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.cli import main
from tests.integration.bot_harness import isolate

BAD = [
    (("tenant", "add", "clinic"), "tenant 'clinic' already exists"),
    (("tenant", "add", "Bad Name"), "tenant name 'Bad Name'"),
    (("tenant", "set", "ghost", "language=en"), "no tenant 'ghost'"),
    (("tenant", "set", "clinic", "colour=red"), "unknown setting 'colour'"),
    (("tenant", "set", "clinic", "hotline_country=ZZ"), "no hotlines for ZZ"),
    (("tenant", "set", "clinic", "rate=often"), "rate: 'often' is not a rate"),
    (("tenant", "bot", "add", "clinic", "--telegram-token", "nope"), "--telegram-token"),
    (("tenant", "bot", "add", "clinic", "--telegram-token", "111:" + "T" * 35), "TELEGRAM_BOT"),
    (("apikey", "create", "--tenant", "clinic", "--scopes", "all"), "unknown scope"),
    (("apikey", "create", "--tenant", "clinic", "--rate", "lots"), "--rate: 'lots'"),
    (("apikey", "create", "--tenant", "ghost"), "no tenant 'ghost'"),
    (("apikey", "revoke", "000000000000"), "no API key '000000000000'"),
]


@pytest.mark.parametrize(("args", "words"), BAD, ids=[" ".join(a[:2]) + f" {i}" for i, (a, _)
                                                       in enumerate(BAD)])  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: tuple[str, ...],
    words: str,
) -> None:
    """Each refusal: exit 2, one stderr line with the reason, nothing on stdout."""
    isolate(monkeypatch, tmp_path, TELEGRAM_BOT_TOKEN="111:" + "A" * 35)
    env_file = str(tmp_path / "none.env")
    assert main(["--env-file", env_file, "tenant", "add", "clinic"]) == 0
    capsys.readouterr()
    assert main(["--env-file", env_file, *args]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert err.startswith("innertalk: ")
    assert words in err
    assert "Traceback" not in err
    assert out == ""


def test_the_default_tenant_is_listed_without_being_added(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A single-bot deployment needs no tenant command: ``default`` is there already."""
    isolate(monkeypatch, tmp_path)
    assert main(["--env-file", str(tmp_path / "none.env"), "tenant", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["NAME\tCREATED\tBOTS\tSETTINGS", "default\t1970-01-01\t-\t-"]
