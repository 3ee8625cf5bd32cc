"""``/api/v1/people/{ref}``: create/update, erase, export, end the session, mood and
questionnaires. Each handler: the person (404 if the tenant has none), one use case, render."""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations at run time,
# and they name dependencies local to ``register``.
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from innertalk.application.wellbeing.diary import MoodCooldownError
from innertalk.domain.sessions import is_valid_timezone
from innertalk.domain.tenants import Scope
from innertalk.domain.users import Language
from innertalk.domain.wellbeing import InvalidMoodError
from innertalk.presentation.api.access import ApiContext, Person, existing, person
from innertalk.presentation.api.models import (
    MoodEntryOut,
    MoodIn,
    MoodOut,
    PersonIn,
    PersonOut,
    QuestionnaireOut,
    QuestionnairesOut,
    SessionEndOut,
)
from innertalk.presentation.api.problems import Problem, problem_responses, too_many
from innertalk.presentation.texts import Catalog, catalog

AUTH = (401, 403, 422, 429)
"""Problems every person route may answer: key, scope, a malformed ref or body, rate."""
KNOWN = (*AUTH, 404)


class People:
    def __init__(self, ctx: ApiContext) -> None:
        self._ctx = ctx
        self._services = ctx.services

    async def put(self, who: Person, body: PersonIn, response: Response) -> PersonOut:
        """Create the person, or update what the body names; remembers the ref."""
        if body.timezone is not None and not is_valid_timezone(body.timezone):
            raise Problem(422, "`timezone` is not an IANA time zone", kind="invalid-timezone")
        profiles = self._services.profiles
        created = await profiles.get(who.key) is None
        await profiles.ensure(
            who.key,
            language=body.language or await self._tenant_language(who.tenant),
            display_name=body.name or "",
            consent=body.consent,
        )
        profile = await profiles.update(
            who.key,
            language=body.language,
            style=body.style,
            timezone=body.timezone,
            display_name=body.name,
        )
        await self._ctx.refs.remember(who.key, who.ref)
        response.status_code = 201 if created else 200
        return PersonOut.of(who.ref, profile)

    async def delete(self, who: Person) -> Response:
        """Erase everything stored about the person, their ref included."""
        await existing(self._services, who)
        await self._services.privacy.delete(who.key)
        await self._ctx.refs.forget(who.key)
        return Response(status_code=204)

    async def export(self, who: Person) -> Response:
        """Everything stored about the person, as the bot's /export gives it (JSON)."""
        profile = await existing(self._services, who)
        labels = catalog(Catalog.EXPORT, profile.language)
        files = await self._services.privacy.export(who.key, labels=labels)
        return Response(files.json, media_type="application/json")

    async def end_session(self, who: Person) -> SessionEndOut:
        await existing(self._services, who)
        ended = await self._services.sessions.end(who.key)
        if ended is None:
            raise Problem(409, "the person has no open session", kind="no-session")
        return SessionEndOut.of(ended)

    async def mood(self, who: Person) -> MoodOut:
        await existing(self._services, who)
        return MoodOut.of(await self._services.diary.progress(who.key))

    async def add_mood(self, who: Person, body: MoodIn, response: Response) -> MoodEntryOut:
        await existing(self._services, who)
        try:
            entry = await self._services.diary.record(
                who.key, body.score, tags=body.tags, note=body.note
            )
        except MoodCooldownError as error:
            left = error.left.total_seconds()
            raise too_many("a check-in came too soon after the last", left, kind="mood") from None
        except InvalidMoodError as error:
            raise Problem(422, str(error), kind="invalid-mood") from None
        response.status_code = 201
        return MoodEntryOut.of(entry)

    async def questionnaires(self, who: Person, limit: int) -> QuestionnairesOut:
        await existing(self._services, who)
        results = await self._services.questionnaires.history(who.key, None, limit)
        return QuestionnairesOut(results=[QuestionnaireOut.of(result) for result in results])

    async def _tenant_language(self, tenant: str) -> Language:
        found = await self._ctx.directory.tenant(tenant)
        chosen = found.settings.language if found is not None else None
        return chosen or self._ctx.default_language


def register(router: APIRouter, ctx: ApiContext) -> None:
    """The person routes on ``router`` (mounted at ``/api/v1``), each with its key scope."""
    people = People(ctx)
    conversation = person(ctx, Scope.CONVERSATION)
    wellbeing = person(ctx, Scope.WELLBEING)
    privacy = person(ctx, Scope.PRIVACY)
    path = "/people/{ref}"

    @router.put(
        path,
        responses={201: CREATED, **problem_responses(*AUTH)},
        summary="Create or update a person",
    )
    async def put_person(
        who: Annotated[Person, Depends(conversation)], body: PersonIn, response: Response
    ) -> PersonOut:
        return await people.put(who, body, response)

    @router.delete(
        path, status_code=204, responses=problem_responses(*KNOWN), summary="Erase a person"
    )
    async def delete_person(who: Annotated[Person, Depends(privacy)]) -> Response:
        return await people.delete(who)

    @router.get(
        path + "/export",
        response_class=Response,
        responses={200: EXPORT_DOCUMENT, **problem_responses(*KNOWN)},
        summary="Everything stored about a person",
    )
    async def export(who: Annotated[Person, Depends(privacy)]) -> Response:
        return await people.export(who)

    @router.post(
        path + "/sessions/end",
        responses=problem_responses(*KNOWN, 409),
        summary="End the open session (its summary)",
    )
    async def end_session(who: Annotated[Person, Depends(conversation)]) -> SessionEndOut:
        return await people.end_session(who)

    @router.get(path + "/mood", responses=problem_responses(*KNOWN), summary="Mood figures")
    async def mood(who: Annotated[Person, Depends(wellbeing)]) -> MoodOut:
        return await people.mood(who)

    @router.post(
        path + "/mood",
        status_code=201,
        responses=problem_responses(*KNOWN),
        summary="Record a mood check-in",
    )
    async def add_mood(
        who: Annotated[Person, Depends(wellbeing)], body: MoodIn, response: Response
    ) -> MoodEntryOut:
        return await people.add_mood(who, body, response)

    @router.get(
        path + "/questionnaires",
        responses=problem_responses(*KNOWN),
        summary="Questionnaire results, newest first",
    )
    async def questionnaires(
        who: Annotated[Person, Depends(wellbeing)], limit: Annotated[int, Query(ge=1, le=100)] = 50
    ) -> QuestionnairesOut:
        return await people.questionnaires(who, limit)


CREATED = {"model": PersonOut, "description": "A new person (200: an update)."}
EXPORT_DOCUMENT = {
    "description": "The export document (as the bot's /export JSON file).",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
