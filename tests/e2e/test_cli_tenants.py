"""``innertalk tenant …`` and ``innertalk apikey …`` as an operator runs them: real processes
on one SQLite file, the key on the last line of stdout (bad input: test_cli_tenants in
tests/integration)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.e2e.conftest import Run, clean_env

KEY = re.compile(r"itk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")
ENV = clean_env(ENCRYPTION_KEY="q" * 43 + "=")


def test_an_operator_goes_from_tenant_to_a_revoked_key(innertalk: Run, tmp_path: Path) -> None:
    """add, set, bot add, list, apikey create/list/revoke: each exits 0 and shows its work;
    the key is printed once and only its hash reaches the database."""
    assert innertalk("tenant", "add", "clinic", env=ENV).returncode == 0
    changed = innertalk(
        "tenant", "set", "clinic", "language=en", "crisis_webhook_url=https://care.example/h",
        env=ENV,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert "shown once" in changed.stderr
    webhook_secret = changed.stdout.splitlines()[-1]
    assert len(webhook_secret) >= 32
    bot = innertalk("tenant", "bot", "add", "clinic", "--telegram-token", "4242:" + "A" * 35,
                    env=ENV)  # fmt: skip
    assert bot.stdout.strip() == "bot 4242 added to tenant clinic"
    listed = innertalk("tenant", "list", env=ENV).stdout
    assert re.search(r"^clinic\t\S+\t4242\t.*language=en.*crisis_webhook_url=", listed, re.M)
    assert re.search(r"^default\t", listed, re.M)
    assert webhook_secret not in listed

    created = innertalk("apikey", "create", "--tenant", "clinic", "--scopes",
                        "conversation,stats", env=ENV)  # fmt: skip
    assert created.returncode == 0, created.stderr
    key = KEY.fullmatch(created.stdout.splitlines()[-1])
    assert key is not None
    assert "shown once" in created.stderr
    keys = innertalk("apikey", "list", "--tenant", "clinic", env=ENV).stdout
    assert f"{key.group(1)}\tclinic\tconversation,stats\t600/minute\t" in keys
    assert key.group(0) not in keys

    database = tmp_path / "data" / "innertalk.db"
    assert database.exists()  # the file the commands wrote (else the check below is empty)
    with sqlite3.connect(database) as db:
        dump = "\n".join(str(row) for row in db.iterdump())
    assert key.group(1) in dump  # the key's id is stored; its secret must not be
    for secret in (key.group(0), webhook_secret, "A" * 35):
        assert secret not in dump

    revoked = innertalk("apikey", "revoke", key.group(1), env=ENV)
    assert revoked.returncode == 0
    assert re.search(rf"^{key.group(1)}\tclinic\t.*\t\d{{4}}-\S+$",
                     innertalk("apikey", "list", env=ENV).stdout, re.M)  # fmt: skip
