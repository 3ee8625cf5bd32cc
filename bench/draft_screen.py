"""What screening a streamed reply's drafts costs: per word vs at the draft cadence.

    .venv/bin/python -m bench.draft_screen [--runs N]

A ~790-character reply streamed in 4- and 10-character tokens (a model's usual chunks)
through one ``DraftScreen`` per reply, as ``ScreenedDrafts`` does. ``step=1`` screens each
time a new whole word has arrived (how drafts were screened until 2026-12-07); the default
``STEP_CHARS`` screens once that much new text has arrived, and always on the final reply.
CPU time of this process, per reply; it prints a Markdown table and leaves the docs alone.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from innertalk.domain.safety.drafts import STEP_CHARS, DraftScreen

REPLY = (
    "That sounds like a lot to carry after a long day. " * 3
    + "What felt hardest about it, and what would you like to be different tomorrow? "
    + "We can take it one step at a time. "
) * 3


def per_reply_ms(token: int, step: int, runs: int) -> float:
    """CPU milliseconds to screen one reply streamed in ``token``-character chunks."""
    chunks = [REPLY[at : at + token] for at in range(0, len(REPLY), token)]
    started = time.process_time()
    for _ in range(runs):
        screen, so_far = DraftScreen(step=step), ""
        for chunk in chunks:
            so_far += chunk
            screen.visible(so_far)
        screen.visible(so_far, final=True)
    return (time.process_time() - started) / runs * 1000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.draft_screen", description=__doc__)
    parser.add_argument("--runs", type=int, default=200, help="replies per row")
    args = parser.parse_args(argv)
    lines = [
        f"Reply of {len(REPLY)} characters, {args.runs} replies per row, CPU ms per reply.",
        "",
        f"| token | every word (step=1) | every {STEP_CHARS} characters | ratio |",
        "|---|---|---|---|",
    ]
    for token in (4, 10):
        word = per_reply_ms(token, 1, args.runs)
        cadence = per_reply_ms(token, STEP_CHARS, args.runs)
        lines.append(
            f"| {token} characters | {word:.2f} | {cadence:.2f} | {word / cadence:.1f}× |"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
