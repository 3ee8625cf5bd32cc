"""The API's bodies (pydantic): what partners send and get, and their mapping from the domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from innertalk.application.conversation.sessions import EndedSession
from innertalk.application.conversation.talk import TalkReply
from innertalk.application.safety import SafetyNotice
from innertalk.application.wellbeing.diary import Progress
from innertalk.domain.messages import MAX_MESSAGE_CHARS
from innertalk.domain.users import Language, Profile, Style
from innertalk.domain.wellbeing import MoodEntry, QuestionnaireResult

Tag = Annotated[str, Field(min_length=1, max_length=40)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonIn(Strict):
    """Create or update a person; fields left out keep their value (or the tenant's default)."""

    language: Language | None = Field(None, description="Default: the tenant's language.")
    consent: bool = Field(
        False, description="The person agreed to the terms; needed before any message."
    )
    name: str | None = Field(None, max_length=64, description="How the companion addresses them.")
    timezone: str | None = Field(None, max_length=64, examples=["Europe/Berlin"])
    style: Style | None = None


class PersonOut(BaseModel):
    ref: str
    language: Language
    consent: bool
    name: str
    timezone: str
    style: Style
    created_at: datetime

    @classmethod
    def of(cls, ref: str, profile: Profile) -> PersonOut:
        return cls(
            ref=ref,
            language=profile.language,
            consent=profile.has_consented,
            name=profile.display_name,
            timezone=profile.timezone,
            style=profile.style,
            created_at=profile.created_at,
        )


class MessageIn(Strict):
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class HotlineOut(BaseModel):
    name: str
    contact: str
    kind: str
    note: str | None = None


class CrisisOut(BaseModel):
    """A crisis signal in the message: show the hotlines (with or before the reply)."""

    category: str
    severity: str
    hotlines: list[HotlineOut]

    @classmethod
    def of(cls, notice: SafetyNotice | None) -> CrisisOut | None:
        if notice is None:
            return None
        language = notice.language
        return cls(
            category=notice.signal.category.value,
            severity=notice.signal.severity.value,
            hotlines=[
                HotlineOut(
                    name=line.name.text(language),
                    contact=line.contact,
                    kind=str(line.kind),
                    note=line.note.text(language) if line.note else None,
                )
                for line in notice.hotlines
            ],
        )


class ReplyOut(BaseModel):
    """The companion's reply; with ``Accept: text/event-stream``, the last event's data."""

    reply: str
    session_id: str
    crisis: CrisisOut | None

    @classmethod
    def of(cls, reply: TalkReply, notice: SafetyNotice | None) -> ReplyOut:
        # the notice of the message itself, else the one the provider's opinion raised late
        return cls(
            reply=reply.text,
            session_id=reply.session_id,
            crisis=CrisisOut.of(notice or reply.late_safety),
        )


class SessionEndOut(BaseModel):
    session_id: str
    started_at: datetime
    ended_at: datetime
    summary: str | None = Field(description="`null` when nothing worth summarising was said.")

    @classmethod
    def of(cls, ended: EndedSession) -> SessionEndOut:
        session = ended.session
        return cls(
            session_id=session.id,
            started_at=session.started_at,
            ended_at=session.ended_at or session.started_at,
            summary=ended.summary,
        )


class MoodIn(Strict):
    score: int = Field(ge=1, le=10)
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=2000)


class MoodEntryOut(BaseModel):
    id: str
    score: int
    tags: list[str]
    note: str
    created_at: datetime

    @classmethod
    def of(cls, entry: MoodEntry) -> MoodEntryOut:
        return cls(
            id=entry.id,
            score=entry.score,
            tags=list(entry.tags),
            note=entry.note,
            created_at=entry.created_at,
        )


class DayOut(BaseModel):
    date: date
    average: float


class MoodOut(BaseModel):
    """The mood diary's figures (as the Progress screen shows them) and daily averages."""

    count: int
    average: float | None
    recent_average: float | None
    trend: str
    streak: int
    latest: MoodEntryOut | None
    days: list[DayOut] = Field(description="Daily averages of the last 30 local days.")
    timezone: str

    @classmethod
    def of(cls, progress: Progress) -> MoodOut:
        stats = progress.stats
        return cls(
            count=stats.count,
            average=stats.average,
            recent_average=stats.recent_average,
            trend=stats.trend.value,
            streak=stats.streak,
            latest=MoodEntryOut.of(stats.latest) if stats.latest else None,
            days=[DayOut(date=day, average=value) for day, value in progress.points],
            timezone=progress.timezone,
        )


class QuestionnaireOut(BaseModel):
    id: str
    instrument: str
    score: int
    severity: str
    answers: list[int | None]
    created_at: datetime

    @classmethod
    def of(cls, result: QuestionnaireResult) -> QuestionnaireOut:
        return cls(
            id=result.id,
            instrument=result.instrument,
            score=result.score,
            severity=result.severity,
            answers=list(result.answers),
            created_at=result.created_at,
        )


class QuestionnairesOut(BaseModel):
    results: list[QuestionnaireOut] = Field(description="Newest first.")


class StatsOut(BaseModel):
    """The tenant's figures: each realm's (its bots and its API people), and their sums."""

    tenant: str
    totals: dict[str, int]
    realms: list[dict[str, Any]]
