"""Operator statistics and mailing audiences in this process, mixed into ``LocalStorage``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.stats import BotStats, ModelSpend, Segment, VariantOutcome
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, QuestionnaireResult


class LocalStatsStore:
    """Computes what the SQLite statements compute, from ``LocalStorage``'s tables."""

    _profiles: dict[UserKey, Profile]

    def _all(self, kind: type) -> Iterable[Any]:
        raise NotImplementedError  # provided by LocalStorage

    async def bot_stats(self, bot_id: str, now: datetime) -> BotStats:
        people = [p for key, p in self._profiles.items() if key.bot_id == bot_id]
        day, week, month = (now - timedelta(days=n) for n in (1, 7, 30))
        turns: list[Turn] = [t for t in self._all(Turn) if t.key.bot_id == bot_id]
        moods: list[MoodEntry] = [m for m in self._all(MoodEntry) if m.key.bot_id == bot_id]
        verdicts = {f.turn_id: f.helpful for f in self._all(Feedback) if f.key.bot_id == bot_id}
        this_week = [m.score for m in moods if m.created_at >= week]
        last_week = [m.score for m in moods if now - timedelta(days=14) <= m.created_at < week]
        return BotStats(
            users=len(people),
            consented=sum(p.consent_at is not None for p in people),
            new_24h=sum(p.created_at >= day for p in people),
            new_7d=sum(p.created_at >= week for p in people),
            dau=sum(p.last_active_at >= day for p in people),
            wau=sum(p.last_active_at >= week for p in people),
            mau=sum(p.last_active_at >= month for p in people),
            messages=sum(t.role is Role.USER for t in turns),
            sessions=sum(1 for s in self._all(Session) if s.key.bot_id == bot_id),
            questionnaires=sum(
                1 for r in self._all(QuestionnaireResult) if r.key.bot_id == bot_id
            ),
            mood_this_week=round(fmean(this_week), 1) if this_week else None,
            mood_last_week=round(fmean(last_week), 1) if last_week else None,
            unreachable=sum(not p.active for p in people),
            blocked=sum(p.blocked for p in people),
            variants=_variants(turns, verdicts),
            spend_24h=_spend([t for t in turns if t.created_at >= day]),
        )

    async def audience(self, bot_id: str, segment: Segment, now: datetime) -> list[UserKey]:
        since = now - timedelta(days=7) if segment is Segment.ACTIVE_7D else None
        language = {Segment.RUSSIAN: Language.RU, Segment.ENGLISH: Language.EN}.get(segment)
        return sorted(
            (
                key
                for key, p in self._profiles.items()
                if key.bot_id == bot_id
                and p.consent_at is not None
                and p.active
                and not p.blocked
                and (language is None or p.language is language)
                and (since is None or p.last_active_at >= since)
            ),
            key=lambda key: key.user_id,
        )


def _spend(turns: list[Turn]) -> tuple[ModelSpend, ...]:
    sums: dict[tuple[str, str], tuple[int, int]] = {}
    for turn in turns:
        if turn.role is Role.ASSISTANT and turn.provider:
            spent_in, spent_out = sums.get((turn.provider, turn.model), (0, 0))
            sums[(turn.provider, turn.model)] = (
                spent_in + turn.input_tokens,
                spent_out + turn.output_tokens,
            )
    return tuple(ModelSpend(p, m, i, o) for (p, m), (i, o) in sorted(sums.items()))


def _variants(turns: list[Turn], verdicts: dict[str, bool]) -> tuple[VariantOutcome, ...]:
    groups: dict[str, list[Turn]] = {}
    for turn in turns:
        if turn.role is Role.ASSISTANT and turn.variant:
            groups.setdefault(turn.variant, []).append(turn)
    outcomes = []
    for variant, replies in sorted(groups.items()):
        latencies = [t.latency_ms for t in replies if t.latency_ms]
        votes = [verdicts[t.id] for t in replies if t.id in verdicts]
        outcomes.append(
            VariantOutcome(
                variant=variant,
                replies=len(replies),
                avg_latency_ms=round(fmean(latencies), 1) if latencies else None,
                input_tokens=sum(t.input_tokens for t in replies),
                output_tokens=sum(t.output_tokens for t in replies),
                helpful=sum(votes),
                not_helpful=len(votes) - sum(votes),
            )
        )
    return tuple(outcomes)
