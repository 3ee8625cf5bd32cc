"""Load benchmark: the real ``innertalk bot`` process, over loopback, under simulated people.

    .venv/bin/python -m bench.load [--quick] [--dry-run] [--py-spy DIR] [--json FILE]
                                   [--only PHASE,...]

The bot runs as its own process, exactly as deployed: webhook mode, SQLite in a scratch
directory, the OpenAI provider pointed at a fake Chat Completions server, INFO logs (JSON, to
a file), metrics on. This process holds the fakes (``bench/load_fakes.py``: a Bot API, the
model, a webhook client) and the simulated people; both share the machine's cores.

A message is one update POSTed to the webhook with the secret. Its reply is delivered when
the fake Bot API receives the ``sendMessage`` with the reply's text and 👍/👎 keyboard; on the
way the bot shows a draft (``sendMessageDraft``, Telegram's "Thinking…"). **Overhead** is
everything but the model: reply received − POST written − the fake model's own time on
that message's request (measured at the fake: request read → response written, its
configured latency included). Storage round trips, cache lookups and memory come from the
bot's ``/metrics`` (before/after each phase) and ``/proc/<pid>/status``.

People are stored (consented, with an earlier summarized session; for the replay, a
conversation still open) directly through the SQLite adapter's write path before they write,
so every message goes to the conversation.
``RATE_LIMIT`` and ``SESSION_TOKEN_BUDGET`` are lifted; ``SESSIONS_PER_DAY`` is set high, so
the daily-limit check runs as in production but never refuses.

Phases (each in a fresh bot process, after a warm-up by other people; ``--quick``: one
process, everything small, for the smoke test):

- **ceiling**: zero-latency model, N people each sending their next message as soon as the
  last is answered (closed loop), for several N; throughput is replies per second.
- **rate**: 150 messages/s, then half the measured ceiling; Poisson arrivals, model latency
  200 ms, people already talking (their context is cached).
- **crowd**: 10,000 people, each writing once a minute (≈167 messages/s), two minutes: the
  first is each person's first message since the process started, the second their next.
- **replay**: people in the middle of a conversation replay 20 more messages (a think time
  between messages): first messages (cache misses) and the rest counted apart.
- **stored**: 1,000 → 10,000 → 100,000 stored people in one database, at 40 msg/s; at each
  size people who have not written yet (a cold context) and then the same people again.

Everything sent is checked: each message answered exactly once, no other message, no error
in the bot's log, exit code 0 (the last line of the report).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bench.load_fakes import FakeBotApi, FakeModel, Ledger, WebhookClient, now
from innertalk.application.ids import new_id
from innertalk.application.ports import Record
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.infrastructure.observability.logs import configure_logging
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.e2e.conftest import COMMAND, clean_env

TOKEN = "123456789:AAHloadBenchmarkToken-0123456789abcdefgh"
BOT_ID = TOKEN.split(":")[0]
SECRET = "load-bench-secret"
WEBHOOK_PATH = "/webhook/telegram"
REPLY_TIMEOUT = 300.0
"""Long enough for an overloaded bot to work off its backlog: every message is waited for."""
DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench.load:begin -->", "<!-- bench.load:end -->"
HEADING = "## Load (`bench/load.py`)"

CONVERSATION = (
    "Hi. Long day again, I only now got home from work.",
    "My manager moved the deadline to Friday and nobody asked me.",
    "I stayed until nine to finish the report and I am tired.",
    "My partner says I should talk to my manager about it.",
    "I am not sure how to start that conversation without sounding rude.",
    "Maybe I could ask for a short meeting tomorrow morning.",
    # Two lines of the workload were reworded on 2026-12-07: the round-3 crisis model answers
    # "I would say the new date leaves no time to check the numbers." and, for some [ref]
    # suffixes, "Maybe I could try it for one week and see what happens." with a crisis notice
    # (a known false alarm on plans talk: docs/benchmarks.md, tests/integration/.../
    # test_crisis_classifier.py). This benchmark measures load, not the classifier.
    "I would say the numbers need more checking than the new plan allows.",
    "What if she says that is just how things are now?",
    "Last year the same thing happened and I kept quiet.",
    "Then I was exhausted for weeks and slept badly.",
    "I want to do it differently this time.",
    "Writing down what I want to say might help.",
    "Something like: I can deliver it if someone else takes the review.",
    "That sounds fair, I think she might accept that.",
    "I also want to stop answering email after eight.",
    "It is hard because everyone else answers at once.",
    "Maybe I could try that for a while and tell you how it goes.",
    "Thank you, this helped me sort my thoughts.",
    "I will write the note before I go to bed.",
    "Good night, I will tell you how the meeting went.",
)


@dataclass(frozen=True)
class Plan:
    """How much of everything a run does."""

    quick: bool
    warmup: int
    ceiling_levels: tuple[int, ...]
    ceiling_seconds: float
    rate: float
    rate_users: int
    rate_seconds: float
    sustained_share: float
    """The second fixed rate, as a share of the measured ceiling (a load the bot can carry)."""
    latency: float
    crowd_users: int
    crowd_rate: float
    replay_users: int
    replay_turns: int
    replay_think: tuple[float, float]
    stored_sizes: tuple[int, ...]
    stored_messages: int
    stored_rate: float


FULL = Plan(
    quick=False,
    warmup=600,
    ceiling_levels=(16, 64, 256),
    ceiling_seconds=10.0,
    rate=150.0,
    rate_users=1_000,
    rate_seconds=25.0,
    sustained_share=0.5,
    latency=0.2,
    crowd_users=10_000,
    crowd_rate=10_000 / 60,
    replay_users=100,
    replay_turns=20,
    replay_think=(1.0, 3.0),
    stored_sizes=(1_000, 10_000, 100_000),
    stored_messages=500,
    stored_rate=40.0,
)
QUICK = Plan(
    quick=True,
    warmup=32,
    ceiling_levels=(16,),
    ceiling_seconds=1.0,
    rate=150.0,
    rate_users=60,
    rate_seconds=0.6,
    sustained_share=0.5,
    latency=0.02,
    crowd_users=60,
    crowd_rate=10_000 / 60,
    replay_users=10,
    replay_turns=3,
    replay_think=(0.02, 0.05),
    stored_sizes=(100, 300),
    stored_messages=20,
    stored_rate=40.0,
)


# -- statistics ------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``nan`` for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return "—" if math.isnan(seconds) else f"{seconds * 1000:.2f}"


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def number(value: float, digits: int = 2) -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


# -- the bot process and what it exports -----------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """``VmRSS`` and ``VmHWM`` (peak) of ``pid`` in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(value.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse_metrics(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        if not family.name.startswith("innertalk_"):
            continue
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int
    workdir: Path
    http: aiohttp.ClientSession

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log(self) -> Path:
        return self.workdir / "output.jsonl"

    async def metrics(self) -> Samples:
        async with self.http.get(f"http://127.0.0.1:{self.port}/metrics") as response:
            return parse_metrics(await response.text())

    async def settle(self) -> Samples:
        """The metrics once the write-behind queue is empty (every write of the phase stored)."""
        await asyncio.sleep(0.1)
        for _ in range(100):
            samples = await self.metrics()
            if total(samples, "innertalk_write_behind_queue_depth") == 0:
                return samples
            await asyncio.sleep(0.05)
        return samples

    def events(self, name: str) -> int:
        """How many log lines carry the event ``name``."""
        return self.log.read_text(errors="replace").count(f'"event": "{name}"')

    def errors(self) -> list[str]:
        """Log lines at error level or above (the bot logs JSON)."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                level = json.loads(line).get("level", "")
            except ValueError:
                found.append(line)  # not JSON: a traceback or a crash
                continue
            if level in ("error", "critical"):
                found.append(line)
        return found


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- stored people ---------------------------------------------------------------------------


def person(user_id: int) -> UserKey:
    return UserKey(BOT_ID, user_id)


def history(user_id: int, at: datetime, *, talking: bool = False) -> list[Record]:
    """A consented person who talked yesterday: profile, a summarized session, four turns.

    ``talking``: instead, someone in the middle of a conversation (a session opened ten
    minutes ago and still open, its four turns); their next message opens no new session.
    """
    key = person(user_id)
    profile = Profile(
        key=key,
        created_at=at - timedelta(days=30),
        last_active_at=at - timedelta(days=1),
        display_name="Sam",
        language=Language.EN,
        consent_at=at - timedelta(days=30),
    )
    started = at - (timedelta(minutes=10) if talking else timedelta(days=1, hours=1))
    session = Session(
        id=new_id(),
        key=key,
        started_at=started,
        ended_at=None if talking else started + timedelta(minutes=20),
        summary=None if talking else "We talked about a stressful week at work.",
        tokens_used=1_200,
    )
    turns: list[Record] = [
        Turn(
            new_id(),
            key,
            session.id,
            Role.USER if i % 2 == 0 else Role.ASSISTANT,
            CONVERSATION[i],
            started + timedelta(minutes=i),
        )
        for i in range(4)
    ]
    return [profile, session, *turns]


async def seed(
    database: Path, user_ids: Sequence[int], *, talking: bool = False, batch: int = 2_000
) -> float:
    """Store ``user_ids`` through the SQLite adapter's write path; the seconds it took."""
    started = now()
    storage = await SqliteStorage.open(database)
    try:
        await storage.migrate()
        at = datetime.now(UTC)
        for first in range(0, len(user_ids), batch):
            people = user_ids[first : first + batch]
            records = [r for uid in people for r in history(uid, at, talking=talking)]
            await storage.write(records)
        # the bot's database as it would be in service, not with the whole seeding still in
        # the write-ahead log (its first commit would copy it all back at once)
        await storage.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await storage.close()
    return now() - started


# -- the harness -----------------------------------------------------------------------------


@dataclass
class Window:
    """What one measured stretch did: its messages, and the bot's counters around it."""

    label: str
    numbers: list[int]
    seconds: float
    before: Samples
    after: Samples
    bot_cpu: float
    driver_cpu: float
    driver_lag: list[float]
    rss_mb: tuple[float, float] = (math.nan, math.nan)

    def delta(self, name: str, **labels: str) -> float:
        return total(self.after, name, **labels) - total(self.before, name, **labels)


class Harness:
    """The fakes, the ledger and one bot process at a time."""

    def __init__(self, plan: Plan, root: Path, py_spy: Path | None) -> None:
        self.plan = plan
        self.root = root
        self.py_spy = py_spy
        self.ledger = Ledger()
        self.api = FakeBotApi(TOKEN, self.ledger)
        self.model = FakeModel(self.ledger)
        self.bot: BotProcess | None = None
        self.webhook: WebhookClient | None = None
        self.http: aiohttp.ClientSession | None = None
        self.rng = random.Random(20261126)
        self._number = 0
        self._lag: list[float] | None = None
        self._lag_task: asyncio.Task[None] | None = None
        self.exit_codes: list[int] = []
        self.error_lines: list[str] = []
        self.opinion_failures = 0
        self.start_seconds: list[float] = []
        self.start_rss: dict[str, float] = {}
        """RSS (MB) of each bot process once it has started, before any message."""

    async def __aenter__(self) -> Harness:
        await self.api.server.start()
        await self.model.server.start()
        self.http = aiohttp.ClientSession()
        self._lag_task = asyncio.create_task(self._watch_lag())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop_bot()
        if self._lag_task is not None:
            self._lag_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_task
        if self.http is not None:
            await self.http.close()
        await self.api.server.stop()
        await self.model.server.stop()

    async def _watch_lag(self) -> None:
        """How late this process's event loop wakes a 5 ms sleep (the driver's own health)."""
        while True:
            started = now()
            await asyncio.sleep(0.005)
            if self._lag is not None:
                self._lag.append(now() - started - 0.005)

    # -- the bot ---------------------------------------------------------------------------

    @property
    def running(self) -> BotProcess:
        assert self.bot is not None, "no bot process"
        return self.bot

    async def start_bot(self, name: str) -> BotProcess:
        await self.stop_bot()
        workdir = self.root / name
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        environment = clean_env(
            TELEGRAM_API_URL=self.api.server.url,
            TELEGRAM_BOT_TOKEN=TOKEN,
            WEBHOOK_URL="https://load.bench.invalid",
            WEBHOOK_SECRET=SECRET,
            HTTP_HOST="127.0.0.1",
            HTTP_PORT=str(port),
            DATABASE_URL=f"sqlite:///{self.database(name)}",
            LLM_PROVIDERS="openai",
            OPENAI_API_KEY="load-bench",
            OPENAI_BASE_URL=self.model.base_url,
            RATE_LIMIT="1000000/minute",
            SESSIONS_PER_DAY="1000000",
            SESSION_TOKEN_BUDGET="0",
            LOG_FORMAT="json",
            LOG_LEVEL="INFO",
            # what ships (clean_env turns the encoder off to keep the e2e tests quick)
            SAFETY_ENCODER="on",
        )
        self.api.webhook.clear()
        started = now()
        with (workdir / "output.jsonl").open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                *COMMAND, "bot", cwd=workdir, env=environment, stdout=output, stderr=output
            )
        assert self.http is not None
        self.bot = BotProcess(process, port, workdir, self.http)
        waiting = asyncio.ensure_future(self.api.webhook.wait())
        exited = asyncio.ensure_future(process.wait())
        await asyncio.wait({waiting, exited}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        exited.cancel()
        waiting.cancel()
        if not self.api.webhook.is_set():
            raise RuntimeError(f"the bot did not start:\n{self.bot.log.read_text()[-3000:]}")
        assert self.api.webhook_secret == SECRET
        self.start_seconds.append(now() - started)
        self.start_rss[name] = memory_mb(process.pid)[0]
        self.webhook = WebhookClient(port, WEBHOOK_PATH, SECRET)
        return self.bot

    def database(self, name: str) -> Path:
        return self.root / name / "innertalk.db"

    async def stop_bot(self) -> None:
        if self.webhook is not None:
            await self.webhook.close()
            self.webhook = None
        bot, self.bot = self.bot, None
        if bot is None:
            return
        if bot.process.returncode is None:
            bot.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(60):
                    await bot.process.wait()
            except TimeoutError:
                bot.process.kill()
                await bot.process.wait()
        self.exit_codes.append(bot.process.returncode or 0)
        self.error_lines += bot.errors()
        self.opinion_failures += bot.events("safety.opinion_failed")

    # -- sending ---------------------------------------------------------------------------

    def next_number(self) -> int:
        self._number += 1
        return self._number

    def update(self, n: int, user_id: int, text: str) -> bytes:
        sender = {"id": user_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}
        message = {
            "message_id": n,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Sam"},
            "from": sender,
            "text": f"{text} [ref{n}]",
        }
        return json.dumps({"update_id": n, "message": message}).encode()

    async def send(self, n: int, user_id: int, text: str) -> None:
        assert self.webhook is not None
        body = self.update(n, user_id, text)

        def sent() -> None:
            self.ledger.sent[n] = now()

        self.ledger.status[n] = await self.webhook.post(body, sent)

    async def replies(self, numbers: Sequence[int]) -> None:
        """Wait until each of ``numbers`` is answered (or ``REPLY_TIMEOUT`` passes)."""
        loop = asyncio.get_running_loop()
        waiting = []
        for n in numbers:
            if n not in self.ledger.replied:
                future = self.ledger.waiters.setdefault(n, loop.create_future())
                waiting.append(future)
        if waiting:
            await asyncio.wait(waiting, timeout=REPLY_TIMEOUT)

    async def open_loop(
        self,
        users: Sequence[int],
        count: int,
        rate: float,
        text: Callable[[int], str] = lambda i: CONVERSATION[i % len(CONVERSATION)],
    ) -> list[int]:
        """``count`` messages at ``rate`` per second (Poisson arrivals), from ``users`` in
        turn; returns their numbers once all are answered."""
        tasks: set[asyncio.Task[None]] = set()
        numbers: list[int] = []
        due = now() + 0.01
        for i in range(count):
            due += self.rng.expovariate(rate)
            delay = due - now()
            if delay > 0:
                await asyncio.sleep(delay)
            n = self.next_number()
            numbers.append(n)
            self.ledger.due[n] = due
            task = asyncio.create_task(self.send(n, users[i % len(users)], text(i)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        await self.replies(numbers)
        return numbers

    async def closed_loop(
        self,
        users: Sequence[int],
        *,
        seconds: float | None = None,
        turns: int | None = None,
        think: tuple[float, float] = (0.0, 0.0),
        first_turn: int = 0,
    ) -> list[int]:
        """Each of ``users`` sends a message, waits for its reply (and ``think``), sends the
        next: for ``seconds``, or ``turns`` messages each."""
        loop = asyncio.get_running_loop()
        stop_at = now() + seconds if seconds is not None else math.inf
        numbers: list[int] = []

        async def one(index: int, user_id: int) -> None:
            turn = first_turn
            if think[1]:
                await asyncio.sleep(self.rng.uniform(0, think[1]))  # not all at once
            while now() < stop_at and (turns is None or turn < first_turn + turns):
                n = self.next_number()
                numbers.append(n)
                waiter = self.ledger.waiters[n] = loop.create_future()
                self.ledger.due[n] = now()
                await self.send(n, user_id, CONVERSATION[(index + turn) % len(CONVERSATION)])
                try:
                    await asyncio.wait_for(waiter, REPLY_TIMEOUT)
                except TimeoutError:
                    return
                turn += 1
                if think[1]:
                    await asyncio.sleep(self.rng.uniform(*think))

        await asyncio.gather(*(one(i, uid) for i, uid in enumerate(users)))
        return numbers

    @contextlib.asynccontextmanager
    async def window(self, label: str, into: list[Window]) -> AsyncIterator[list[int]]:
        """Measure what runs inside: yields the list to put the window's message numbers in."""
        bot = self.running
        numbers: list[int] = []
        before = await bot.settle()
        self._lag = []
        bot_cpu, driver_cpu, started = _cpu_seconds(bot.pid), time.process_time(), now()
        spy = self._profile(label)
        try:
            yield numbers
        finally:
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                await asyncio.to_thread(spy.wait, 30)
        seconds = now() - started
        used_bot, used_driver = _cpu_seconds(bot.pid) - bot_cpu, time.process_time() - driver_cpu
        lag, self._lag = self._lag, None
        after = await bot.settle()
        into.append(
            Window(
                label,
                numbers,
                seconds,
                before,
                after,
                used_bot / seconds,
                used_driver / seconds,
                lag,
                memory_mb(bot.pid),
            )
        )

    def _profile(self, label: str) -> subprocess.Popen[bytes] | None:
        if self.py_spy is None:
            return None
        binary = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self.py_spy.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() else "-" for c in label).strip("-")
        output = self.py_spy / f"{name}.folded"
        command = [binary, "record", "--pid", str(self.running.pid), "--rate", "200", "--gil"]
        command += ["--format", "raw", "--output", str(output)]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def warm_up(self, users: Sequence[int]) -> None:
        """Connections, lazy imports and caches of a new process, by people not measured."""
        self.model.latency = 0.0
        per = max(1, self.plan.warmup // len(users))
        await self.closed_loop(users, turns=per)


# -- phases ----------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    answered_once: int = 0
    unanswered: int = 0
    duplicated: int = 0
    refused: int = 0
    other_messages: int = 0
    untagged_model_calls: int = 0
    moderation_calls: int = 0
    opinion_failures: int = 0
    exit_codes: list[int] = field(default_factory=list)
    error_lines: list[str] = field(default_factory=list)
    start_seconds: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)


@dataclass
class Results:
    plan: Plan
    ceiling: list[Window] = field(default_factory=list)
    rate: list[Window] = field(default_factory=list)
    crowd: list[Window] = field(default_factory=list)
    replay: list[Window] = field(default_factory=list)
    stored: list[Window] = field(default_factory=list)
    stored_sizes: list[tuple[int, float, float]] = field(default_factory=list)
    """Per size: people stored, seconds to store them, database MB."""
    ledger: Ledger = field(default_factory=Ledger)
    delivery: Delivery = field(default_factory=Delivery)
    start_rss: dict[str, float] = field(default_factory=dict)
    """Per bot process (by phase): its RSS in MB once started, before any message."""


class Ids:
    """Disjoint ranges of user ids, one per group of people."""

    def __init__(self) -> None:
        self._next = 10_000_000

    def take(self, count: int) -> list[int]:
        first, self._next = self._next, self._next + count
        return list(range(first, first + count))


async def prepared(
    h: Harness, ids: Ids, name: str, people: Sequence[int], fresh: bool, *, talking: bool = False
) -> None:
    """Store ``people`` (and a few warm-up people), in a new bot process when ``fresh``."""
    warm = ids.take(16)
    if fresh or h.bot is None:
        await h.stop_bot()
        await seed(h.database(name), warm)
        await seed(h.database(name), people, talking=talking)
        await h.start_bot(name)
    else:
        database = h.database(h.running.workdir.name)
        await seed(database, warm)
        await seed(database, people, talking=talking)
    await h.warm_up(warm)


def ceiling_of(results: Results, default: float = math.nan) -> float:
    """The best throughput of the ceiling phase (replies per second)."""
    return max((ratio(len(w.numbers), w.seconds) for w in results.ceiling), default=default)


async def ceiling(h: Harness, ids: Ids, results: Results, fresh: bool) -> None:
    plan = h.plan
    people = ids.take(max(plan.ceiling_levels))
    await prepared(h, ids, "ceiling", people, fresh)
    h.model.latency = 0.0
    for level in plan.ceiling_levels:
        label = f"{level} people, closed loop"
        async with h.window(label, results.ceiling) as numbers:
            numbers += await h.closed_loop(people[:level], seconds=plan.ceiling_seconds)


async def rate(h: Harness, ids: Ids, results: Results, fresh: bool) -> None:
    """The target rate, then a share of the measured ceiling: people already talking."""
    plan = h.plan
    people = ids.take(plan.rate_users)
    await prepared(h, ids, "rate", people, fresh)
    h.model.latency = 0.0
    await h.closed_loop(people[:64], turns=1)
    ceiling = ceiling_of(results, default=100.0)  # when the ceiling phase did not run
    await h.open_loop(people, len(people), min(plan.rate, ceiling * 0.8))
    h.model.latency = plan.latency
    sustained = round(ceiling * plan.sustained_share)
    for per_second in (plan.rate, sustained):
        count = round(per_second * plan.rate_seconds)
        async with h.window(f"{per_second:g} msg/s", results.rate) as numbers:
            numbers += await h.open_loop(people, count, per_second)


async def crowd(h: Harness, ids: Ids, results: Results, fresh: bool) -> None:
    plan = h.plan
    people = ids.take(plan.crowd_users)
    h.rng.shuffle(people)
    await prepared(h, ids, "crowd", people, fresh)
    h.model.latency = plan.latency
    for label in ("first minute (each person's first message)", "second minute (their next)"):
        async with h.window(label, results.crowd) as numbers:
            numbers += await h.open_loop(people, plan.crowd_users, plan.crowd_rate)


async def replay(h: Harness, ids: Ids, results: Results, fresh: bool) -> None:
    """People in the middle of a conversation (an open session) that this process has not
    seen: their first message misses the cache, the rest of the conversation should not."""
    plan = h.plan
    people = ids.take(plan.replay_users)
    await prepared(h, ids, "replay", people, fresh, talking=True)
    h.model.latency = plan.latency
    think = plan.replay_think
    per_second = len(people) / (plan.latency + sum(think) / 2)
    async with h.window("first message (cache miss)", results.replay) as numbers:
        numbers += await h.open_loop(people, len(people), per_second, lambda i: CONVERSATION[4])
    async with h.window(f"messages 2–{plan.replay_turns}", results.replay) as numbers:
        numbers += await h.closed_loop(
            people, turns=plan.replay_turns - 1, think=think, first_turn=5
        )


async def stored(h: Harness, ids: Ids, results: Results, fresh: bool) -> None:
    """Growing stored populations in one database: people who have not written yet (a cold
    context, a new session), then the same people again."""
    plan = h.plan
    people = ids.take(max(plan.stored_sizes))
    h.model.latency = plan.latency
    stored_so_far = 0
    name = "stored" if fresh or h.bot is None else h.running.workdir.name
    for index, size in enumerate(plan.stored_sizes):
        adding = people[stored_so_far:size]
        if index == 0 and (fresh or h.bot is None):
            await h.stop_bot()
            warm = ids.take(16)
            await seed(h.database(name), warm)
            seeded = await seed(h.database(name), adding)
            await h.start_bot(name)
            await h.warm_up(warm)
        else:
            seeded = await seed(h.database(name), adding)
        h.model.latency = plan.latency
        database_mb = h.database(name).stat().st_size / 2**20
        results.stored_sizes.append((size, seeded, database_mb))
        writing = h.rng.sample(adding, min(plan.stored_messages, len(adding)))
        stored_so_far = size
        for which in ("first", "next"):
            async with h.window(f"{size:,} stored, {which} message", results.stored) as numbers:
                numbers += await h.open_loop(writing, len(writing), plan.stored_rate)


PHASES = {"ceiling": ceiling, "rate": rate, "crowd": crowd, "replay": replay, "stored": stored}


async def measure(
    plan: Plan, root: Path, py_spy: Path | None, phases: Sequence[str] = tuple(PHASES)
) -> Results:
    results = Results(plan)
    ids = Ids()
    fresh = not plan.quick
    async with Harness(plan, root, py_spy) as h:
        for name in phases:
            await PHASES[name](h, ids, results, fresh)
        await h.stop_bot()
        results_check(h, results)
    return results


# -- checks and the report -------------------------------------------------------------------


def results_check(h: Harness, results: Results) -> None:
    """Every message sent in the run (warm-ups included) was answered exactly once."""
    ledger = results.ledger = h.ledger
    sent = list(ledger.sent)
    d = results.delivery
    d.sent = len(sent)
    d.answered_once = sum(ledger.replies[n] == 1 for n in sent)
    d.unanswered = sum(ledger.replies[n] == 0 for n in sent)
    d.duplicated = sum(ledger.replies[n] > 1 for n in sent)
    d.refused = sum(status != 200 for status in ledger.status.values())
    d.other_messages = ledger.other_messages
    d.untagged_model_calls = ledger.untagged_model_calls
    d.moderation_calls, d.opinion_failures = ledger.moderation_calls, h.opinion_failures
    d.exit_codes = list(h.exit_codes)
    d.error_lines = list(h.error_lines)
    d.start_seconds = list(h.start_seconds)
    d.calls = Counter(ledger.calls)
    results.start_rss = dict(h.start_rss)


@dataclass(frozen=True)
class Figures:
    """One window, digested."""

    messages: int
    per_second: float
    offered: float
    e2e: list[float]
    overhead: list[float]
    draft: list[float]
    driver_late: list[float]
    context_reads: float
    session_reads: float
    fsm_reads: float
    other_reads: float
    writes: float
    hits: float
    misses: float
    load_context_ms: float
    waiting: int
    """Messages of the window not answered yet when its last one was sent (the backlog)."""


def digest(window: Window, ledger: Ledger) -> Figures:
    answered = [n for n in window.numbers if n in ledger.replied and n in ledger.sent]
    e2e = [ledger.replied[n] - ledger.sent[n] for n in answered]
    overhead = [ledger.replied[n] - ledger.sent[n] - ledger.model_seconds[n] for n in answered]
    draft = [ledger.drafted[n] - ledger.sent[n] for n in answered if n in ledger.drafted]
    late = [ledger.sent[n] - ledger.due[n] for n in answered if n in ledger.due]
    count = len(window.numbers)
    last_sent = max((ledger.sent[n] for n in window.numbers if n in ledger.sent), default=0.0)
    waiting = sum(ledger.replied.get(n, math.inf) > last_sent for n in window.numbers)
    if window.numbers:
        first, last = min(window.numbers), max(window.numbers)
        span = ledger.due.get(last, 0) - ledger.due.get(first, 0)
        offered = ratio(count - 1, span) if span > 0 else math.nan
    else:
        offered = math.nan

    def op(operation: str) -> float:
        return window.delta("innertalk_storage_operation_seconds_count", operation=operation)

    reads = window.delta("innertalk_storage_round_trips_total", kind="read")
    context, sessions, fsm = op("load_context"), op("sessions"), op("fsm_get")
    load_seconds = window.delta(
        "innertalk_storage_operation_seconds_sum", operation="load_context"
    )
    return Figures(
        messages=count,
        per_second=ratio(len(answered), window.seconds),
        offered=offered,
        e2e=e2e,
        overhead=overhead,
        draft=draft,
        driver_late=late,
        context_reads=ratio(context, count),
        session_reads=ratio(sessions, count),
        fsm_reads=ratio(fsm, count),
        other_reads=ratio(reads - context - sessions - fsm, count),
        writes=ratio(window.delta("innertalk_storage_round_trips_total", kind="write"), count),
        hits=window.delta("innertalk_cache_requests_total", result="hit"),
        misses=window.delta("innertalk_cache_requests_total", result="miss"),
        load_context_ms=ratio(load_seconds * 1000, context),
        waiting=waiting,
    )


def verdict(met: bool, missed: str) -> str:
    return "met" if met else f"**missed** {missed}"


def reads_of(f: Figures) -> float:
    """Reads of people's data per message (screen state apart)."""
    return f.context_reads + f.session_reads + f.other_reads


def report(results: Results) -> tuple[str, list[str]]:
    """The Markdown report (targets first), and the target rows alone."""
    ledger = results.ledger
    plan = results.plan
    start_rss = results.start_rss
    lines: list[str] = []
    targets: list[str] = []

    def load_cells(window: Window, figures: Figures) -> str:
        return (
            f"{window.bot_cpu * 100:.0f} % | {window.driver_cpu * 100:.0f} % "
            f"| {ms(percentile(window.driver_lag, 99))} "
            f"| {ms(percentile(figures.driver_late, 99))}"
        )

    # -- ceiling
    lines += [
        f"### Throughput ceiling (zero-latency model, closed loop, {plan.ceiling_seconds:g} s "
        "per row)",
        "",
        "| people in flight | replies | replies/s | e2e p50 ms | e2e p99 ms | bot CPU "
        "| bot CPU ms per message | driver CPU | driver loop lag p99 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for window in results.ceiling:
        f = digest(window, ledger)
        cpu_ms = ratio(window.bot_cpu * window.seconds * 1000, len(f.e2e))
        lines.append(
            f"| {window.label.split()[0]} | {len(f.e2e)} | {f.per_second:.0f} "
            f"| {ms(percentile(f.e2e, 50))} | {ms(percentile(f.e2e, 99))} "
            f"| {window.bot_cpu * 100:.0f} % | {number(cpu_ms)} "
            f"| {window.driver_cpu * 100:.0f} % | {ms(percentile(window.driver_lag, 99))} |"
        )
    best = ceiling_of(results)
    if results.ceiling:
        targets.append(
            f"| ceiling ≥ 1,000 msg/s, zero-latency model | {best:.0f} msg/s "
            f"| {verdict(best >= 1000, f'by {1000 - best:.0f} msg/s ({best / 1000:.2f} of it)')} |"
        )

    # -- fixed rates
    lines += [
        "",
        f"### Bot-side overhead at fixed rates (model latency {plan.latency * 1000:.0f} ms, "
        "Poisson arrivals)",
        "",
        "| phase | messages | offered msg/s | answered msg/s | backlog at the last send "
        "| overhead p50 ms | overhead p99 ms | e2e p99 ms | first draft p99 ms | bot CPU "
        "| driver CPU | driver loop lag p99 ms | send late p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rate_rows = [(f"{w.label}, {plan.rate_users:,} people", w) for w in results.rate]
    crowd_rows = [(f"{plan.crowd_users:,} people, {w.label}", w) for w in results.crowd]
    for label, window in [*rate_rows, *crowd_rows]:
        f = digest(window, ledger)
        lines.append(
            f"| {label} | {f.messages} | {number(f.offered, 0)} | {f.per_second:.0f} "
            f"| {f.waiting} | {ms(percentile(f.overhead, 50))} | {ms(percentile(f.overhead, 99))} "
            f"| {ms(percentile(f.e2e, 99))} | {ms(percentile(f.draft, 99))} "
            f"| {load_cells(window, f)} |"
        )
    for window in results.rate[:1]:
        p99 = percentile(digest(window, ledger).overhead, 99)
        targets.append(
            f"| overhead p99 ≤ 10 ms at {plan.rate:g} msg/s | {ms(p99)} ms "
            f"| {verdict(p99 <= 0.010, f'by {ms(p99 - 0.010)} ms ({p99 / 0.010:.0f}×)')} |"
        )
    for window in results.rate[1:]:
        p99 = percentile(digest(window, ledger).overhead, 99)
        targets.append(
            f"| … the same at {window.label} ({plan.sustained_share:.0%} of the ceiling) "
            f"| {ms(p99)} ms | {verdict(p99 <= 0.010, f'by {ms(p99 - 0.010)} ms')} |"
        )
    for window in results.crowd:
        p99 = percentile(digest(window, ledger).overhead, 99)
        which = window.label.split(" (")[0]
        targets.append(
            f"| {plan.crowd_users:,} people × 1/min, {which}: overhead p99 ≤ 20 ms "
            f"| {ms(p99)} ms "
            f"| {verdict(p99 <= 0.020, f'by {ms(p99 - 0.020)} ms ({p99 / 0.020:.0f}×)')} |"
        )
    if results.crowd:
        rss, peak = results.crowd[-1].rss_mb
        base = start_rss.get("crowd", start_rss.get("ceiling", math.nan))
        targets.append(
            f"| {plan.crowd_users:,} people: RSS ≤ 300 MB | {rss:.0f} MB, peak {peak:.0f} MB "
            f"(idle after start-up: {base:.0f} MB) "
            f"| {verdict(peak <= 300, f'by {peak - 300:.0f} MB')} |"
        )

    # -- storage and cache
    lines += [
        "",
        "### Storage round trips and the context cache, per message",
        "",
        "| phase | messages | context reads | session-limit reads | screen-state (FSM) reads "
        "| other reads | write round trips | cache lookups hit | messages with no context "
        "read |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    replay_rows = [(f"replay, {w.label}", w) for w in results.replay]
    for label, window in [*rate_rows, *crowd_rows, *replay_rows]:
        f = digest(window, ledger)
        lines.append(
            f"| {label} | {f.messages} | {number(f.context_reads)} "
            f"| {number(f.session_reads)} | {number(f.fsm_reads)} | {number(f.other_reads)} "
            f"| {number(f.writes)} | {number(ratio(f.hits, f.hits + f.misses) * 100, 1)} % "
            f"| {number((1 - f.context_reads) * 100, 1)} % |"
        )
    if len(results.replay) == 2:
        miss, hit = (digest(w, ledger) for w in results.replay)
        targets.append(
            f"| ≤ 1 read per message on a cache miss (mid-conversation) "
            f"| {reads_of(miss):.2f} + {miss.fsm_reads:.2f} screen state "
            f"| {verdict(reads_of(miss) <= 1.0, f'by {reads_of(miss) - 1:.2f}')}"
            f"{'' if miss.fsm_reads == 0 else ' (screen state: missed by one read)'} |"
        )
    if results.crowd:
        new = digest(results.crowd[0], ledger)
        targets.append(
            f"| ≤ 1 read per message on a cache miss that opens a session "
            f"| {reads_of(new):.2f} + {new.fsm_reads:.2f} screen state "
            f"| {verdict(reads_of(new) <= 1.0, f'by {reads_of(new) - 1:.2f} (session limit)')} |"
        )
    if len(results.replay) == 2:
        # to the shown precision: a background read (the reminder poll) is not per message
        none = round(reads_of(hit) + hit.fsm_reads, 2) == 0
        targets.append(
            f"| 0 reads per message on a hit | {reads_of(hit):.2f} + {hit.fsm_reads:.2f} "
            f"screen state | {verdict(none, 'by the screen-state read')} |"
        )
        windows = results.replay
        hits = sum(digest(w, ledger).hits for w in windows)
        lookups = hits + sum(digest(w, ledger).misses for w in windows)
        messages = sum(len(w.numbers) for w in windows)
        context = sum(digest(w, ledger).context_reads * len(w.numbers) for w in windows)
        by_lookup, by_message = ratio(hits, lookups), 1 - ratio(context, messages)
        targets.append(
            f"| cache hit rate ≥ 95 % on a conversation replay ({plan.replay_turns} messages "
            f"each) | {by_lookup * 100:.1f} % of lookups, {by_message * 100:.1f} % of messages "
            f"| {verdict(min(by_lookup, by_message) >= 0.95, 'see the rows')} |"
        )
    busy = [digest(w, ledger) for w in [*results.rate, *results.crowd]]
    if busy:
        writes = max(f.writes for f in busy)
        targets.append(
            f"| write round trips ≤ 0.2 per message (fixed-rate phases) | ≤ {writes:.2f} "
            f"| {verdict(writes <= 0.2, f'by {writes - 0.2:.2f}')} |"
        )

    # -- memory
    lines += [
        "",
        "### Memory of the bot process",
        "",
        "| phase | after start-up, VmRSS MB | at the end, VmRSS MB | peak (VmHWM) MB |",
        "|---|---|---|---|",
    ]
    for name, windows in (
        ("ceiling", results.ceiling),
        ("rate", results.rate),
        ("crowd", results.crowd),
        ("replay", results.replay),
        ("stored", results.stored),
    ):
        if windows:
            rss, peak = windows[-1].rss_mb
            base = start_rss.get(name, math.nan)
            label = f"crowd ({plan.crowd_users:,} people)" if name == "crowd" else name
            lines.append(f"| {label} | {number(base, 0)} | {rss:.0f} | {peak:.0f} |")

    # -- stored people
    lines += [
        "",
        f"### Stored people ({plan.stored_rate:g} msg/s, model latency "
        f"{plan.latency * 1000:.0f} ms; {plan.stored_messages:,} people who had not written "
        "yet, then the same people again)",
        "",
        "| stored people | database MB | seconds to store | message | overhead p50 ms "
        "| overhead p99 ms | context reads | all reads | load_context mean ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    first_messages: dict[int, Figures] = {}
    pairs = zip(results.stored[::2], results.stored[1::2], strict=True)
    for (size, seeded, mb), pair in zip(results.stored_sizes, pairs, strict=True):
        for window, kind in zip(pair, ("first", "next"), strict=True):
            f = digest(window, ledger)
            first_messages.setdefault(size, f)
            everything = f.context_reads + f.session_reads + f.fsm_reads + f.other_reads
            lines.append(
                f"| {size:,} | {mb:.1f} | {seeded:.1f} | {kind} "
                f"| {ms(percentile(f.overhead, 50))} | {ms(percentile(f.overhead, 99))} "
                f"| {number(f.context_reads)} | {number(everything)} "
                f"| {number(f.load_context_ms)} |"
            )
    if len(first_messages) >= 2:
        sizes = sorted(first_messages)
        small, large = first_messages[sizes[0]], first_messages[sizes[-1]]
        p50 = percentile(large.overhead, 50) / percentile(small.overhead, 50)
        p99 = percentile(large.overhead, 99) / percentile(small.overhead, 99)
        same_reads = abs(reads_of(large) - reads_of(small)) < 0.05
        targets.append(
            f"| per-message cost flat from {sizes[0]:,} to {sizes[-1]:,} stored people "
            f"(first messages: p50 within 1.25×, the same reads) | p50 ×{p50:.2f}, "
            f"p99 ×{p99:.2f}, reads {reads_of(small):.2f} → {reads_of(large):.2f}, "
            f"load_context {number(small.load_context_ms)} → {number(large.load_context_ms)} ms "
            f"| {verdict(p50 <= 1.25 and same_reads, f'(p50 ×{p50:.2f})')} |"
        )

    d = results.delivery
    lines += [
        "",
        f"Every message of the run (warm-ups included): {d.sent:,} sent, {d.answered_once:,} "
        f"answered exactly once, {d.unanswered} unanswered, {d.duplicated} answered more than "
        f"once, {d.refused} webhook POSTs refused, {d.other_messages} other messages sent, "
        f"{d.untagged_model_calls} model calls for no message, {d.moderation_calls:,} "
        f"third opinions asked ({d.opinion_failures} failed); bot exit codes "
        f"{sorted(set(d.exit_codes))}, {len(d.error_lines)} error log lines; start-up "
        f"(process start → setWebhook) {min(d.start_seconds):.1f}–{max(d.start_seconds):.1f} s.",
    ]
    table = ["### Targets", "", "| target | measured | result |", "|---|---|---|", *targets]
    return "\n".join([*table, "", *lines]), targets


def write(text: str, command: str) -> None:
    """Replace this benchmark's section of ``docs/benchmarks.md`` (or add it at the end)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python "
    machine += platform.python_version()
    section = "\n".join(
        [BEGIN, f"Run on {stamp} ({machine}):", "", "```sh", command, "```", "", text, END]
    )
    current = DOCS.read_text(encoding="utf-8")
    start, end = current.find(BEGIN), current.find(END)
    if start < 0 or end < 0:
        current = current.rstrip("\n") + f"\n\n{HEADING}\n\n{section}\n"
    else:
        current = current[:start] + section + current[end + len(END) :]
    DOCS.write_text(current, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="everything, small (the smoke test)")
    parser.add_argument("--dry-run", action="store_true", help="print only; leave docs alone")
    parser.add_argument("--py-spy", type=Path, help="record a py-spy profile of each window here")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--inbox-cost",
        type=int,
        metavar="N",
        help="only measure the durable inbox (SQLite): N messages filed, answered and removed, "
        "one at a time and 256 at once; prints, leaves docs alone",
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated phases to run ({','.join(PHASES)}); implies --dry-run",
    )
    args = parser.parse_args(argv)
    if args.inbox_cost:
        print(asyncio.run(inbox_cost(args.inbox_cost)))
        return
    plan = QUICK if args.quick else FULL
    phases = args.only.split(",") if args.only else list(PHASES)
    if unknown := set(phases) - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    configure_logging(level="WARNING", stream=open(os.devnull, "w"))  # noqa: SIM115
    with tempfile.TemporaryDirectory(prefix="innertalk-load-") as scratch:
        results = asyncio.run(measure(plan, Path(scratch), args.py_spy, phases))
    text, _ = report(results)
    print(text)
    if args.json is not None:
        args.json.write_text(json.dumps(raw(results), indent=1), encoding="utf-8")
    if not args.dry_run and not args.quick and not args.only:
        given = sys.argv[1:] if argv is None else list(argv)
        write(text, " ".join([".venv/bin/python -m bench.load", *given]))
        print(f"\nwritten to {DOCS}")


async def inbox_cost(count: int) -> str:
    """What the durable inbox adds per message: ``file`` + ``answered`` + ``done`` on the
    SQLite table (``synchronous = FULL``: each a fsynced commit), as the bot does them."""
    from innertalk.infrastructure.storage.sqlite.inbox import SqliteUpdateInbox
    from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage

    payload = json.dumps({"update_id": 1, "message": {"text": "x" * 200}}).encode()
    lines = ["| writers | messages | per message (wall) | messages/s |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="innertalk-inbox-") as scratch:
        path = Path(scratch) / "inbox.db"
        storage = await SqliteStorage.open(path)
        await storage.migrate()
        await storage.close()
        inbox = await SqliteUpdateInbox.open(path)
        try:
            for writers in (1, 256):
                ids = iter(range(writers * 10_000_000, writers * 10_000_000 + count))
                start = time.perf_counter()
                await asyncio.gather(*(_inbox_writer(inbox, ids, payload) for _ in range(writers)))
                seconds = time.perf_counter() - start
                lines.append(
                    f"| {writers} | {count} | {seconds / count * 1000:.2f} ms "
                    f"| {count / seconds:.0f} |"
                )
        finally:
            await inbox.close()
    return "\n".join(lines)


async def _inbox_writer(inbox: Any, ids: Iterator[int], payload: bytes) -> None:
    """Messages from the shared ``ids`` until none is left, each as the bot handles one."""
    for update_id in ids:
        await inbox.file("bench", [(update_id, payload)])
        await inbox.answered("bench", update_id)
        await inbox.done("bench", update_id)


def raw(results: Results) -> dict[str, object]:
    """Every window's digest, for the smoke test and for anyone comparing runs."""
    ledger = results.ledger
    phases: dict[str, list[dict[str, object]]] = {}
    for name in ("ceiling", "rate", "crowd", "replay", "stored"):
        for window in getattr(results, name):
            f = digest(window, ledger)
            phases.setdefault(name, []).append(
                {
                    "label": window.label,
                    "messages": f.messages,
                    "answered": len(f.e2e),
                    "per_second": f.per_second,
                    "overhead_p50": percentile(f.overhead, 50),
                    "overhead_p99": percentile(f.overhead, 99),
                    "e2e_p99": percentile(f.e2e, 99),
                    "context_reads": f.context_reads,
                    "fsm_reads": f.fsm_reads,
                    "writes": f.writes,
                    "hits": f.hits,
                    "misses": f.misses,
                    "rss_mb": window.rss_mb[0],
                    "bot_cpu": window.bot_cpu,
                }
            )
    d = results.delivery
    return {
        "phases": phases,
        "delivery": {
            "sent": d.sent,
            "answered_once": d.answered_once,
            "unanswered": d.unanswered,
            "duplicated": d.duplicated,
            "refused": d.refused,
            "other_messages": d.other_messages,
            "exit_codes": d.exit_codes,
            "calls": dict(d.calls),
            "error_lines": d.error_lines[:20],
            "moderation_calls": d.moderation_calls,
            "opinion_failures": d.opinion_failures,
        },
    }


if __name__ == "__main__":
    main()
