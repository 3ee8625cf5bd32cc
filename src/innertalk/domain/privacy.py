"""Everything stored about one person, and how it is exported in readable and machine form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, time
from enum import Enum
from typing import Any

from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.sessions import zone
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult

EXPORT_FORMAT = "innertalk-export/1"


@dataclass(frozen=True, slots=True)
class UserRecords:
    """Every record of one person, oldest first within each kind."""

    key: UserKey
    profile: Profile | None = None
    sessions: tuple[Session, ...] = field(default_factory=tuple)
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    moods: tuple[MoodEntry, ...] = field(default_factory=tuple)
    results: tuple[QuestionnaireResult, ...] = field(default_factory=tuple)
    portraits: tuple[Portrait, ...] = field(default_factory=tuple)
    feedback: tuple[Feedback, ...] = field(default_factory=tuple)
    reminder: ReminderSettings | None = None

    @property
    def count(self) -> int:
        return (
            (self.profile is not None)
            + (self.reminder is not None)
            + len(self.sessions)
            + len(self.turns)
            + len(self.moods)
            + len(self.results)
            + len(self.portraits)
            + len(self.feedback)
        )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, UserKey):
        return None
    return value


def _record(record: Any) -> dict[str, Any]:
    return {f.name: _plain(getattr(record, f.name)) for f in fields(record) if f.name != "key"}


def export_document(records: UserRecords, exported_at: datetime) -> dict[str, Any]:
    """A JSON-able document with every stored field of every record."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at": exported_at.isoformat(),
        "bot_id": records.key.bot_id,
        "user_id": records.key.user_id,
        "profile": _record(records.profile) if records.profile else None,
        "sessions": [_record(session) for session in records.sessions],
        "turns": [_record(turn) for turn in records.turns],
        "mood_entries": [_record(mood) for mood in records.moods],
        "questionnaire_results": [_record(result) for result in records.results],
        "portraits": [_record(portrait) for portrait in records.portraits],
        "feedback": [_record(verdict) for verdict in records.feedback],
        "reminder": _record(records.reminder) if records.reminder else None,
    }


def export_markdown(
    records: UserRecords, labels: Mapping[str, str], *, timezone: str, exported_at: datetime
) -> str:
    """A readable document: conversations by session, then diary, results and portraits.

    ``labels`` holds the headings in the person's language (a locale catalog).
    """
    tz = zone(timezone)

    def when(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    lines = [f"# {labels['title']}", "", f"{labels['exported']}: {when(exported_at)}", ""]
    turns_by_session: dict[str, list[Turn]] = {}
    for turn in records.turns:
        turns_by_session.setdefault(turn.session_id, []).append(turn)
    lines += [f"## {labels['conversations']}", ""]
    for session in records.sessions:
        lines += [f"### {labels['session']} {when(session.started_at)}", ""]
        if session.summary:
            lines += [f"*{labels['summary']}:* {session.summary}", ""]
        for turn in turns_by_session.get(session.id, []):
            who = labels["you"] if turn.role is Role.USER else labels["companion"]
            lines += [f"**{who}** ({when(turn.created_at)}): {turn.text}", ""]
    if records.moods:
        lines += [f"## {labels['diary']}", ""]
        for mood in records.moods:
            tags = f" [{', '.join(mood.tags)}]" if mood.tags else ""
            note = f" — {mood.note}" if mood.note else ""
            lines.append(f"- {when(mood.created_at)}: {mood.score}/10{tags}{note}")
        lines.append("")
    if records.results:
        lines += [f"## {labels['results']}", ""]
        for result in records.results:
            band = f" ({result.severity})" if result.severity else ""
            lines.append(f"- {when(result.created_at)}: {result.instrument} {result.score}{band}")
        lines.append("")
    if records.portraits:
        lines += [f"## {labels['portraits']}", ""]
        for portrait in records.portraits:
            lines += [f"### {when(portrait.created_at)}", "", portrait.text, ""]
    if records.reminder:
        lines += [f"## {labels['reminders']}", "", *_reminder_lines(records.reminder, labels), ""]
    return "\n".join(lines).rstrip() + "\n"


def _reminder_lines(reminder: ReminderSettings, labels: Mapping[str, str]) -> list[str]:
    state = labels["reminder_on"] if reminder.enabled else labels["reminder_off"]
    lines = [f"- {reminder.at:%H:%M} ({reminder.timezone}): {state}"]
    if reminder.quiet_start is not None and reminder.quiet_end is not None:
        quiet = f"{reminder.quiet_start:%H:%M}–{reminder.quiet_end:%H:%M}"
        lines.append(f"- {labels['quiet_hours']}: {quiet}")
    return lines
