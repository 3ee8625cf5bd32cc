"""How much of a reply that is still being written may be shown.

A streamed reply is shown as it grows (Telegram drafts, the console), so it is screened as
it grows: a phrase split across chunks ("…the le" + "thal dose…") is only a phrase once both
have arrived, so each screening reads the reply so far, not the newest chunk.

``DraftScreen.visible(so_far)`` returns the prefix that may be shown now, or ``None`` once
the output screen withholds the reply (and from then on: nothing more of it is shown):

- Only screened text is ever shown: between screenings ``visible`` returns the prefix the
  last screening passed, however much more has arrived.
- The screen runs at the pace drafts are shown, not per token: once at least ``STEP_CHARS``
  of new whole words have arrived since the last screening, and always on the final reply
  (``final=True``). Telegram shows a draft at most once every 0.3 s and a model
  streams far faster than a person reads, so nothing visible is lost, and a reply costs a
  handful of screenings instead of one per token (the rules are the costliest part of it).
- Only whole words are screened and shown while the reply streams: the text after the last
  space is held back until the word is complete (or the stream ends). "le" of "lethal" is
  never shown alone.
- Each screening reads a window: everything new plus ``WINDOW_CHARS`` of what was already
  screened before it, so a phrase straddling the old and the new part is seen whole, and a
  long reply costs the same per screening as a short one. A withheld phrase spans a few
  words, far less than the window; the final reply is screened whole anyway, before it is
  shown.
"""

from __future__ import annotations

from innertalk.domain.safety.output import withheld_reasons

WINDOW_CHARS = 240
"""How far back into the already screened text each screening reads again."""
STEP_CHARS = 80
"""How much new text (whole words) waits for the next screening while the reply streams."""
_SPACES = " \n\t\r"


class DraftScreen:
    """Screens one streaming reply step by step; one instance per reply."""

    def __init__(self, window: int = WINDOW_CHARS, step: int = STEP_CHARS) -> None:
        self._window = window
        self._step = step
        self._screened = 0
        self._shown = ""
        self.reasons: tuple[str, ...] = ()
        """Why the reply was withheld (pattern ids); empty while it may be shown."""

    @property
    def withheld(self) -> bool:
        return bool(self.reasons)

    def visible(self, so_far: str, *, final: bool = False) -> str | None:
        """The prefix of ``so_far`` (the reply until now) that may be shown, or ``None``."""
        if self.withheld:
            return None
        if not final and len(so_far) - self._screened < self._step:
            return self._shown  # cheap: most tokens end here
        cut = len(so_far) if final else _word_start(so_far, len(so_far))
        if cut <= self._screened or (not final and cut - self._screened < self._step):
            return self._shown
        start = _word_start(so_far, self._screened - self._window)
        self.reasons = withheld_reasons(so_far[start:cut])
        if self.reasons:
            return None
        self._screened = cut
        self._shown = so_far[:cut]
        return self._shown


def _word_start(text: str, position: int) -> int:
    """Where the word ending at ``position`` starts: just after the last space before it."""
    if position <= 0:
        return 0
    return max(text.rfind(space, 0, position) for space in _SPACES) + 1
