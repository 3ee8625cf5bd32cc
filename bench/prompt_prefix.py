"""Prompt prefix reuse: how much of each request repeats the previous request's beginning.

    .venv/bin/python -m bench.prompt_prefix [--messages 30 100] [--example 30]

Providers bill a repeated prefix at a fraction (issue 17), so the share of a request that
repeats the previous one's prefix bounds what caching can save. ``prefix_reuse`` measures it
in characters of the serialized messages (the chat-completions shape every SDK adapter sends:
system, history, the message) and is what the provider benchmark imports. Run as a module it
drives one conversation through ``TalkService`` with a scripted model, the way the history
was trimmed before (a window sliding by one turn per message) and after (block folding,
``domain/folding.py``), prints the reuse per request (every request the model gets: the fold
requests too, marked ``F``) and the last prompt of each. Prints only.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from innertalk.application.conversation.talk import TalkPolicy
from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ModelRequest, Purpose
from innertalk.domain.users import Language, UserKey
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel

Message = dict[str, str]

PERSON = UserKey("bench", 1)
CONTEXT_TURNS = 20
"""The default of ``CONTEXT_TURNS``."""
_SAID = (
    "Work has been a lot this week and I keep thinking about the deadline on Friday.",
    "I snapped at my sister yesterday and I feel guilty about it.",
    "Honestly I'm not sleeping well, I wake up at four and my head just starts spinning.",
    "Maybe. I think I'm mostly afraid that my manager thinks I'm not good enough.",
    "I went for a walk at lunch like you said, it helped a little.",
    "My friend Anna invited me to her birthday but I don't feel like seeing anyone.",
    "It's strange, I used to love these evenings and now everything feels flat.",
    "Tomorrow I have the review meeting. I prepared, but I'm still anxious.",
)


def messages_of(request: ModelRequest) -> list[Message]:
    """``request`` as the chat messages a provider receives: system, history, the message."""
    messages = [{"role": "system", "content": request.system}] if request.system else []
    messages += [{"role": m.role.value, "content": m.text} for m in request.history]
    return [*messages, {"role": Role.USER.value, "content": request.prompt_message}]


def serialized(messages: Sequence[Message]) -> str:
    """``messages`` as the JSON text a provider reads, in a fixed, compact form."""
    return json.dumps(list(messages), ensure_ascii=False, separators=(",", ":"))


def prefix_reuse(previous_messages: Sequence[Message], messages: Sequence[Message]) -> float:
    """The share of ``messages`` (in characters, serialized) that repeats the beginning of
    ``previous_messages``: 1.0 when it only extends it, 0.0 for an empty or unrelated one."""
    before, now = serialized(previous_messages), serialized(messages)
    if not now:
        return 0.0
    shared = 0
    for old, new in zip(before, now, strict=False):
        if old != new:
            break
        shared += 1
    return shared / len(now)


def reuse_per_request(requests: Sequence[ModelRequest]) -> list[float]:
    """``prefix_reuse`` of each request after the first against the one before it."""
    rendered = [messages_of(request) for request in requests]
    return [prefix_reuse(a, b) for a, b in itertools.pairwise(rendered)]


def is_fold(request: ModelRequest) -> bool:
    """Whether ``request`` folds history (the only summary a bench conversation asks for)."""
    return request.purpose is Purpose.SUMMARY


@dataclass(frozen=True, slots=True)
class Reuse:
    """Prefix reuse of a conversation's requests after the first, by kind."""

    shares: list[float]
    folds: list[float]
    """Of the fold requests."""
    after_folds: list[float]
    """Of the reply requests right after a fold."""

    @classmethod
    def of(cls, requests: Sequence[ModelRequest]) -> Reuse:
        shares = reuse_per_request(requests)
        later = requests[1:]
        folds = [share for share, r in zip(shares, later, strict=True) if is_fold(r)]
        after = [
            share
            for share, (before, r) in zip(shares, itertools.pairwise(requests), strict=True)
            if is_fold(before) and not is_fold(r)
        ]
        return cls(shares, folds, after)

    @property
    def mean(self) -> float:
        return sum(self.shares) / len(self.shares)


def labelled(requests: Sequence[ModelRequest]) -> str:
    """Prefix reuse of each request after the first, whole percentages, folds marked ``F``."""
    return " ".join(
        f"{'F' if is_fold(request) else ''}{share:.0%}"
        for share, request in zip(reuse_per_request(requests), requests[1:], strict=True)
    )


async def conversation(messages: int, *, folding: bool) -> list[ModelRequest]:
    """Every request of one ``messages``-long conversation: its replies and, with ``folding``,
    the fold requests, in the order the model got them."""
    model = ScriptedModel(_scripted_answer)
    policy = TalkPolicy(session_token_budget=0)  # the defaults otherwise: 3,000 history tokens
    # as bootstrap/app.py wires it: folding loads twice CONTEXT_TURNS (20), so at least 20 stay
    turns = 2 * CONTEXT_TURNS if folding else CONTEXT_TURNS
    core = build_core(model, FakeClock(), policy=policy, context_turns=turns, folding=folding)
    await core.profiles.ensure(PERSON, language=Language.EN, consent=True)
    for n in range(messages):
        await core.talk.reply(PERSON, f"{_SAID[n % len(_SAID)]} ({n + 1})")
    return list(model.requests)


def _scripted_answer(request: ModelRequest) -> str:
    if request.purpose is Purpose.SUMMARY:
        return "The person talked about work pressure, sleep and guilt; they felt anxious."
    return (
        "That sounds heavy, and it makes sense that it stays with you. You're carrying a "
        "lot at once: the work, the worry about how you're seen, and wanting to be kind to "
        "the people close to you. What feels most pressing right now?"
    )


def _table(lengths: Sequence[int]) -> list[str]:
    lines = [
        "| messages | trimming | mean reuse | lowest reuse | lowest of a fold request "
        "| lowest of a reply right after a fold | requests below 50 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for length in lengths:
        for label, folding in (("sliding window (before)", False), ("block folding", True)):
            reuse = Reuse.of(asyncio.run(conversation(length, folding=folding)))
            low = sum(share < 0.5 for share in reuse.shares)
            lines.append(
                f"| {length} | {label} | {reuse.mean:.0%} | {min(reuse.shares):.0%} | "
                f"{lowest(reuse.folds)} | {lowest(reuse.after_folds)} | "
                f"{low} of {len(reuse.shares)} |"
            )
    return lines


def lowest(shares: Sequence[float]) -> str:
    """The lowest of ``shares`` as a whole percentage; a dash when there are none."""
    return f"{min(shares):.0%}" if shares else "—"


def _prompt(request: ModelRequest) -> list[str]:
    return [f"[{m['role']}] {m['content']}" for m in messages_of(request)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[30, 100])
    parser.add_argument("--example", type=int, default=30, help="messages in the example")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    print("\n".join(_table(args.messages)))
    for label, folding in (("Before", False), ("After", True)):
        requests = asyncio.run(conversation(args.example, folding=folding))
        print(f"\n### {label}: the prompt of message {args.example}\n")
        print("\n".join(_prompt(requests[-1])))
        folds = [request for request in requests if is_fold(request)]
        if folds:
            print(f"\n### {label}: the last fold request's instruction\n")
            print(_prompt(folds[-1])[-1])


if __name__ == "__main__":
    main()
