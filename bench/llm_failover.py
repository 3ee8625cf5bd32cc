"""Failover benchmark: the production model chain (``bootstrap.build_model``, the real SDK
adapters) against the loopback fake provider servers of ``tests/fakes/providers``.

    .venv/bin/python -m bench.llm_failover [-n 200] [--hedge-after 0.1] [--dry-run]

Chain: gemini → openai → anthropic → offline, configured through environment variables and
``load_settings`` exactly as in production, logging at INFO (to /dev/null) and metrics on.
Breakers run on a fake clock, so "open" stays open and "cooled down" is one ``advance``.
Every user message carries a unique tag, so the requests each fake received are counted
per message even when messages run concurrently. Prints a Markdown report and (unless
``--dry-run``) writes it, with the command and the date, into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from innertalk.bootstrap import build_model
from innertalk.config import load_settings
from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage, ModelRequest
from innertalk.infrastructure.llm.breaker import BreakerState
from innertalk.infrastructure.llm.router import ModelRouter
from innertalk.infrastructure.observability.logs import configure_logging
from tests.fakes.clock import FakeClock
from tests.fakes.providers import (
    AnthropicServer,
    Behaviour,
    FakeProviderServer,
    GeminiServer,
    OpenAIServer,
)

NAMES = ("gemini", "openai", "anthropic")
NO_BREAKERS = "*=1000000/30"
"""``LLM_BREAKERS`` that never open: every message meets the fault (the worst case)."""
COOLED_DOWN = 10_000.0
"""Fake-clock seconds after which every cool-down (Retry-After, 600 s auth) has passed."""
_VARIABLE_PREFIXES = ("LLM_", "GEMINI_", "GOOGLE_", "OPENAI_", "ANTHROPIC_")
DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench.llm_failover:begin -->", "<!-- bench.llm_failover:end -->"

BASE_REQUEST = ModelRequest(
    system="You are InnerTalk. Summary: we talked about sleep last week.",
    message="I could not sleep again.",
    history=tuple(
        ChatMessage(Role.USER if i % 2 == 0 else Role.ASSISTANT, f"earlier turn {i}")
        for i in range(6)
    ),
)


def tagged(index: int) -> ModelRequest:
    """The request of message ``index``; its tag finds its requests at the fakes."""
    return replace(BASE_REQUEST, message=f"{BASE_REQUEST.message} [msg-{index:06d}]")


class Fakes:
    """The three fake servers, and the requests each received per tagged message."""

    def __init__(self) -> None:
        self.servers: dict[str, FakeProviderServer] = {
            "gemini": GeminiServer(),
            "openai": OpenAIServer(),
            "anthropic": AnthropicServer(),
        }

    def reset(self, **defaults: Behaviour) -> None:
        for name, server in self.servers.items():
            server.requests.clear()
            server.default = defaults.get(name, Behaviour.ok())

    def sent(self, index: int) -> dict[str, int]:
        tag = f"[msg-{index:06d}]"
        return {
            name: sum(tag in json.dumps(r.body) for r in server.requests)
            for name, server in self.servers.items()
        }

    def environment(self, **variables: str) -> dict[str, str]:
        return {
            "GEMINI_API_KEY": "bench",
            "OPENAI_API_KEY": "bench",
            "ANTHROPIC_API_KEY": "bench",
            "GOOGLE_GEMINI_BASE_URL": self.servers["gemini"].base_url,
            "OPENAI_BASE_URL": self.servers["openai"].base_url,
            "ANTHROPIC_BASE_URL": self.servers["anthropic"].base_url,
            "LLM_PROVIDERS": ",".join(NAMES),
            "LLM_CONNECT_TIMEOUT": "1",
            **variables,
        }


@dataclass
class Chain:
    router: ModelRouter
    clock: FakeClock


async def chain(fakes: Fakes, stack: AsyncExitStack, **variables: str) -> Chain:
    """The router production builds from these settings (closed with ``stack``), warmed up."""
    for name in [n for n in os.environ if n.startswith(_VARIABLE_PREFIXES)]:
        del os.environ[name]
    os.environ.update(fakes.environment(**variables))
    fakes.reset()
    clock = FakeClock()
    router = build_model(load_settings(env_file=None), clock)
    stack.push_async_callback(router.aclose)
    for index in range(5):  # connections and lazy SDK imports, before anything is timed
        for provider in router.providers:
            await provider.complete(tagged(-1 - index))
    return Chain(router, clock)


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: list[float]
    sent: list[dict[str, int]]
    providers: set[str]


async def run(
    chain: Chain,
    fakes: Fakes,
    n: int,
    *,
    concurrency: int = 1,
    streaming: bool = False,
    cool_down: bool = False,
) -> Sample:
    """``n`` messages, ``concurrency`` at a time: each one's latency and requests per fake.

    ``cool_down``: before each batch, move the clock past every cool-down."""
    seconds = [0.0] * n
    providers: set[str] = set()

    async def one(index: int) -> None:
        started = time.perf_counter()
        if streaming:
            async for chunk in chain.router.stream(tagged(index)):
                if chunk.reply is not None:
                    providers.add(chunk.reply.provider)
        else:
            providers.add((await chain.router.complete(tagged(index))).provider)
        seconds[index] = time.perf_counter() - started

    for first in range(0, n, concurrency):
        if cool_down:
            chain.clock.advance(COOLED_DOWN)
        await asyncio.gather(*(one(i) for i in range(first, min(n, first + concurrency))))
    await asyncio.sleep(0.05)  # a cancelled hedge's request is surely recorded by now
    return Sample(seconds, [fakes.sent(i) for i in range(n)], providers)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def latency_row(label: str, seconds: Sequence[float], target: str = "", verdict: str = "") -> str:
    p50, p95, p99 = (ms(percentile(seconds, p)) for p in (50, 95, 99))
    return f"| {label} | {p50} | {p95} | {p99} | {target} | {verdict} |"


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else f"**missed by {ms(value - limit)} ms**"


# -- scenarios ------------------------------------------------------------------------------


async def breaker_open(fakes: Fakes, stack: AsyncExitStack, n: int) -> tuple[list[str], float]:
    """Healthy openai alone vs the chain whose primary (gemini) has an open breaker, and
    openai alone again (an A/A pair: the noise floor of comparing two such runs). Returns
    the rows and the baseline's p99 (the fallback latency of the hedge target)."""
    single = await chain(fakes, stack, LLM_PROVIDERS="openai")
    twin = await chain(fakes, stack, LLM_PROVIDERS="openai")
    full = await chain(fakes, stack)
    fakes.reset(gemini=Behaviour.server_error(500))
    for index in range(3):  # three failures open gemini's breaker (built-in: 3 → 30 s)
        await full.router.complete(tagged(index))
    assert full.router.breaker("gemini").state is BreakerState.OPEN
    fakes.reset()
    times: list[list[float]] = [[], [], []]
    routers = [single, twin, full]
    for index in range(n):  # interleaved, rotating the order: drift hits all three alike
        for which in (index % 3, (index + 1) % 3, (index + 2) % 3):
            started = time.perf_counter()
            reply = await routers[which].router.complete(tagged(index))
            times[which].append(time.perf_counter() - started)
            assert reply.provider == "openai"
    assert all(fakes.sent(i)["gemini"] == 0 for i in range(n))
    alone, again, skipping = times

    def difference(label: str, other: list[float], target: str = "", met: str = "") -> str:
        cells = " | ".join(ms(percentile(other, p) - percentile(alone, p)) for p in (50, 95, 99))
        return f"| {label} | {cells} | {target} | {met} |"

    added = percentile(skipping, 99) - percentile(alone, 99)
    return [
        latency_row("healthy openai alone (baseline)", alone),
        latency_row("healthy openai alone, a second client (A/A)", again),
        latency_row("gemini → openai, gemini's breaker open", skipping),
        difference(
            "**added by the open breaker** (open − baseline)",
            skipping,
            "p99 ≤ 1.00",
            verdict(added, 0.001),
        ),
        difference("noise floor (A/A − baseline)", again),
    ], percentile(alone, 99)


async def hung(
    fakes: Fakes, stack: AsyncExitStack, n: int, hedge: float, fallback_p99: float
) -> tuple[list[str], Sample]:
    """A hung primary whose breaker never opens: every message waits for the hedge."""
    hedged = await chain(fakes, stack, LLM_HEDGE_AFTER=str(hedge), LLM_BREAKERS=NO_BREAKERS)
    fakes.reset(gemini=Behaviour.hang())
    sample = await run(hedged, fakes, n)
    assert sample.providers == {"openai"}
    target = hedge + fallback_p99 + 0.050
    p99 = percentile(sample.seconds, 99)
    label = f"gemini hung → hedge after {hedge:g} s → openai"
    row = latency_row(label, sample.seconds, f"≤ {ms(target)}", verdict(p99, target))
    return [row], sample


async def all_down(
    fakes: Fakes, stack: AsyncExitStack, n: int, concurrency: int
) -> tuple[list[str], Sample]:
    """Every provider answers 503: offline reply. Breakers never open, so each message
    walks the chain twice with one real backoff between (the slowest way to get there);
    then the same with the built-in breakers, which open and make it instant."""
    down = await chain(fakes, stack, LLM_BREAKERS=NO_BREAKERS)
    fakes.reset(**dict.fromkeys(NAMES, Behaviour.server_error(503)))
    sample = await run(down, fakes, n, concurrency=concurrency)
    assert sample.providers == {"offline"}
    breakers = await chain(fakes, stack)
    fakes.reset(**dict.fromkeys(NAMES, Behaviour.server_error(503)))
    opened = await run(breakers, fakes, n, concurrency=concurrency)
    assert opened.providers == {"offline"}
    pace = "one at a time" if concurrency == 1 else f"{concurrency} at a time"
    rows = [
        latency_row(
            f"all 503 → offline, {breakers} ({pace})",
            each.seconds,
            "p99 ≤ 2000",
            verdict(percentile(each.seconds, 99), 2.0),
        )
        for breakers, each in (("breakers never open", sample), ("built-in breakers", opened))
    ]
    return rows, sample


@dataclass(frozen=True)
class Fault:
    label: str
    behaviour: Behaviour
    expected: dict[str, int]
    streaming: bool = False


Counted = tuple[str, Sample, dict[str, int]]
"""A row of the requests table: its label, the messages and the configured requests."""

ONE_FAILOVER = {"gemini": 1, "openai": 1, "anthropic": 0}
FAULTS = [
    Fault("500", Behaviour.server_error(500), ONE_FAILOVER),
    Fault("503", Behaviour.server_error(503), ONE_FAILOVER),
    Fault("429, Retry-After 7", Behaviour.rate_limited("7"), ONE_FAILOVER),
    Fault("cut stream, `stream()`", Behaviour.cut_stream(), {"gemini": 1, "openai": 0}, True),
    Fault("cut stream, `complete()`", Behaviour.cut_stream(), ONE_FAILOVER),
    Fault("401", Behaviour.auth_error(401), ONE_FAILOVER),
    Fault("400 context length", Behaviour.context_overflow(), {"gemini": 2, "openai": 1}),
]


async def faults(fakes: Fakes, stack: AsyncExitStack, n: int) -> list[Counted]:
    """Gemini failing the same way every time, the others healthy, every cool-down over
    before each message: the primary meets every message, the most a message can cost."""
    faulty = await chain(fakes, stack)
    results: list[Counted] = []
    for fault in FAULTS:
        fakes.reset(gemini=fault.behaviour)
        sample = await run(faulty, fakes, n, streaming=fault.streaming, cool_down=True)
        results.append((fault.label, sample, {"anthropic": 0, **fault.expected}))
    return results


def requests_row(label: str, sample: Sample, expected: dict[str, int]) -> str:
    cells = []
    for name in NAMES:
        counts = [sent[name] for sent in sample.sent]
        low, high = min(counts), max(counts)
        cells.append(f"{low}" if low == high else f"{low}–{high}")
    totals = [sum(sent.values()) for sent in sample.sent]
    exact = all(sent == expected for sent in sample.sent)
    more = any(sent[name] > expected[name] for sent in sample.sent for name in NAMES)
    result = "= configured" if exact else "**MORE**" if more else "fewer"
    configured = " / ".join(str(expected[name]) for name in NAMES)
    return (
        f"| {label} | {' / '.join(cells)} | {max(totals)} | {configured} "
        f"| {sum(totals) / len(totals):.2f} | {result} |"
    )


# -- report ---------------------------------------------------------------------------------


async def measure(n: int, hedge: float, concurrency: int) -> str:
    """Every scenario; the Markdown report."""
    fakes = Fakes()
    async with AsyncExitStack() as stack:
        for server in fakes.servers.values():
            await server.start()
            stack.push_async_callback(server.stop)
        opened, fallback_p99 = await breaker_open(fakes, stack, n)
        hang_rows, hang = await hung(fakes, stack, n, hedge, fallback_p99)
        down_rows, down = await all_down(fakes, stack, n, concurrency)
        counted = await faults(fakes, stack, n)
    counted.insert(3, (f"hang (hedge after {hedge:g} s)", hang, ONE_FAILOVER))
    counted.append(("all three 503 (2 rounds)", down, dict.fromkeys(NAMES, 2)))
    header = (
        "| scenario | p50 ms | p95 ms | p99 ms | target ms | result |\n|---|---|---|---|---|---|"
    )
    counts = (
        "| fault at gemini | requests gemini / openai / anthropic (min–max) | max per message "
        "| configured | mean per message | result |\n|---|---|---|---|---|---|"
    )
    return "\n".join(
        [
            f"### Latency ({n} messages per scenario)",
            "",
            header,
            *opened,
            *hang_rows,
            *down_rows,
            "",
            f"### Requests reaching the fakes per user message ({n} messages per fault)",
            "",
            counts,
            *(requests_row(label, sample, expected) for label, sample, expected in counted),
        ]
    )


def write(report: str, command: str) -> None:
    """Replace this benchmark's section of ``docs/benchmarks.md``."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python "
    machine += platform.python_version()
    section = "\n".join(
        [BEGIN, f"Run on {stamp} ({machine}):", "", "```sh", command, "```", "", report, END]
    )
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        text = text[:start] + section + text[end + len(END) :]
    DOCS.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.llm_failover", description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="messages per scenario (200)")
    parser.add_argument("--hedge-after", type=float, default=0.1, help="LLM_HEDGE_AFTER (0.1)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="messages at a time in the all-down scenario (1; more is quicker but adds queueing)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    configure_logging(level="INFO", stream=open(os.devnull, "w"))  # noqa: SIM115
    report = asyncio.run(measure(args.n, args.hedge_after, args.concurrency))
    print(report)
    if not args.dry_run:
        given = sys.argv[1:] if argv is None else argv
        command = " ".join([".venv/bin/python -m bench.llm_failover", *given])
        write(report, command)
        print(f"\nwritten to {DOCS}")


if __name__ == "__main__":
    main()
