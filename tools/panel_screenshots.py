"""Screenshots of every panel page for ``docs/panel/`` (issue 16): run after merging pages.

    .venv/bin/python -m tools.panel_screenshots [--out docs/panel]

It builds a throwaway deployment in a temporary folder (``innertalk migrate``, two tenants, a
bot, an operator of every tenant), seeds made-up people — dates, sessions, token counts and
moods, with placeholder words only — starts the real ``innertalk api``, signs in with headless
Chromium from the system packages, and writes ``<page>.png`` for the login page and for every
page in the navigation (so pages merged later are included without changes here).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from selenium.webdriver.remote.webdriver import WebDriver

from innertalk.application.ports import Record
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.tenants import api_realm
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.domain.wellbeing import MoodEntry
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.e2e.bot_process import free_port
from tests.e2e.panel_process import (
    api_process,
    browser_missing,
    chromium,
    innertalk_command,
    navigation,
    page_name,
    sign_in,
)

OPERATOR, PASSWORD = "demo", "demo-panel-password"
BOT = "7000001"
PEOPLE = 80
WEEKS = 8
DEMO_TEXT = "(demo)"


def _cli(workdir: Path, env: dict[str, str], *args: str, stdin: str = "") -> None:
    subprocess.run(  # noqa: S603 - our own command
        [*innertalk_command(), *args], cwd=workdir, env=env, input=stdin, text=True,
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def _person_records(
    key: UserKey, joined: datetime, now: datetime, rng: random.Random
) -> list[Record]:
    """A profile, a few ended sessions of placeholder turns, and a mood check-in each."""
    records: list[Record] = []
    day = last_active = joined
    for number in range(rng.randint(0, 6)):
        day += timedelta(days=rng.choice([1, 1, 2, 3, 7, 9]), minutes=rng.randint(0, 600))
        if day >= now:
            break
        last_active = day
        session = f"{key.user_id}-{number}"
        ended = day + timedelta(minutes=rng.randint(5, 40))
        records.append(Session(session, key, day, ended_at=ended, tokens_used=900))
        for turn in range(rng.randint(2, 8)):
            reply = turn % 2 == 1
            records.append(
                Turn(f"{session}-{turn}", key, session, Role.ASSISTANT if reply else Role.USER,
                     DEMO_TEXT, day + timedelta(minutes=turn), provider="openai" if reply else "",
                     input_tokens=400 if reply else 0, output_tokens=80 if reply else 0)
            )  # fmt: skip
        records.append(MoodEntry(f"{session}-mood", key, rng.randint(3, 9), day))
    consent = joined if rng.random() < 0.85 else None
    language = rng.choice([Language.EN, Language.RU])
    profile = Profile(key, joined, last_active, language=language, consent_at=consent)
    return [profile, *records]


async def seed(database: Path) -> None:
    """Made-up people of the two tenants over the last ``WEEKS`` weeks."""
    rng = random.Random(16)  # noqa: S311 - the same demo every run, not a secret
    now = datetime.now(UTC)
    storage = await SqliteStorage.open(database)
    try:
        await storage.migrate()
        for index in range(PEOPLE):
            realm = BOT if index % 3 else api_realm("wellbeing")
            joined = now - timedelta(days=rng.uniform(0, WEEKS * 7))
            await storage.write(_person_records(UserKey(realm, 100 + index), joined, now, rng))
    finally:
        await storage.close()


def _shoot(driver: WebDriver, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(700, int(height)))
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)


def screenshots(out: Path) -> list[Path]:
    missing = browser_missing()
    if missing is not None:
        raise SystemExit(f"panel_screenshots: {missing}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="innertalk-panel-") as folder:
        workdir = Path(folder)
        env = {"PATH": "/usr/bin:/bin", "SAFETY_ENCODER": "off", "HOME": folder}
        _cli(workdir, env, "migrate")
        _cli(workdir, env, "tenant", "add", "clinic")
        _cli(workdir, env, "tenant", "add", "wellbeing")
        _cli(
            workdir, env, "tenant", "bot", "add", "clinic", "--telegram-token", f"{BOT}:{'A' * 35}"
        )
        _cli(workdir, env, "apikey", "create", "--tenant", "wellbeing")
        _cli(workdir, env, "operator", "add", OPERATOR, "--tenant", "all", stdin=PASSWORD)
        asyncio.run(seed(workdir / "data" / "innertalk.db"))
        written = []
        with api_process(workdir, env, free_port()) as base, chromium() as driver:
            driver.get(f"{base}/admin/login")
            _shoot(driver, out / "login.png")
            written.append(out / "login.png")
            sign_in(driver, base, OPERATOR, PASSWORD)
            for href in navigation(driver):
                driver.get(href if not href.endswith("/people") else f"{href}?telegram=101")
                path = out / f"{page_name(href)}.png"
                _shoot(driver, path)
                written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/panel"))
    for path in screenshots(parser.parse_args().out):
        print(path)
    sys.exit(0)


if __name__ == "__main__":
    main()
