"""Acceptance (issue 15): the real ``innertalk api`` process, driven as a partner's backend
would drive it, over a loopback OpenAI server that speaks the real streaming protocol."""

from __future__ import annotations

import asyncio
import json
import signal
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest

from tests.e2e.bot_process import START_TIMEOUT, free_port
from tests.e2e.conftest import COMMAND, clean_env
from tests.fakes.providers import OpenAIServer
from tests.fakes.providers.base import Behaviour

pytestmark = [pytest.mark.e2e]

REPLY = "It sounds like a heavy week. What weighed on you the most?"
SUMMARY = "They talked about a heavy week at work."


async def command(workdir: Path, *args: str) -> str:
    """``innertalk ARGS`` in ``workdir`` as an operator runs it: its stdout (exit code 0)."""
    process = await asyncio.create_subprocess_exec(
        *COMMAND, *args, cwd=workdir, env=clean_env(), stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def partner_key(workdir: Path) -> str:
    """The README's first two commands: a tenant, then its key (the last line printed)."""
    await command(workdir, "tenant", "add", "clinic")
    return (await command(workdir, "apikey", "create", "--tenant", "clinic")).splitlines()[-1]


@asynccontextmanager
async def api_process(
    workdir: Path, openai: OpenAIServer
) -> AsyncIterator[tuple[asyncio.subprocess.Process, httpx2.AsyncClient]]:
    """``innertalk api`` in ``workdir`` once /healthz answers, and a client for it."""
    port = free_port()
    env = clean_env(
        HTTP_PORT=str(port),
        LOG_FORMAT="json",
        LLM_PROVIDERS="openai",
        OPENAI_API_KEY="test-openai-key",
        OPENAI_BASE_URL=openai.base_url,
    )
    with (workdir / "output.txt").open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            *COMMAND, "api", cwd=workdir, env=env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx2.AsyncClient(base_url=base, timeout=30) as client:
            await _started(process, client, workdir)
            yield process, client
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _started(
    process: asyncio.subprocess.Process, client: httpx2.AsyncClient, workdir: Path
) -> None:
    async with asyncio.timeout(START_TIMEOUT):
        while True:
            assert process.returncode is None, (workdir / "output.txt").read_text()
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            await asyncio.sleep(0.2)  # a real process starting: nothing to wait on but time


async def streamed(
    client: httpx2.AsyncClient, auth: dict[str, str], text: str
) -> list[tuple[str, dict[str, object]]]:
    """The events of a streamed reply, as an SSE client reads them."""
    found: list[tuple[str, dict[str, object]]] = []
    headers = {**auth, "Accept": "text/event-stream"}
    body = {"text": text}
    async with client.stream(
        "POST", "/api/v1/people/emp-7/messages", json=body, headers=headers
    ) as answer:
        assert answer.status_code == 200
        name = ""
        async for line in answer.aiter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                found.append((name, json.loads(line.removeprefix("data: "))))
    return found


async def test_a_partner_backend_drives_the_api_process(tmp_path: Path) -> None:
    """From `tenant add` and `apikey create` (the README's commands): PUT a person, message
    (JSON and SSE), mood, end the session, export, erase, 404 after; another tenant's key
    never reaches the person; SIGTERM stops the process cleanly."""
    key = await partner_key(tmp_path)
    AUTH = {"Authorization": f"Bearer {key}"}
    await command(tmp_path, "tenant", "add", "rival")
    rival_key = (await command(tmp_path, "apikey", "create", "--tenant", "rival")).splitlines()[-1]
    RIVAL = {"Authorization": f"Bearer {rival_key}"}
    async with OpenAIServer() as openai:
        openai.script(Behaviour.ok(REPLY), Behaviour.ok(REPLY), Behaviour.ok(SUMMARY))
        async with api_process(tmp_path, openai) as (process, client):
            person = {"language": "en", "consent": True, "name": "Dana"}
            put = await client.put("/api/v1/people/emp-7", json=person, headers=AUTH)
            assert put.status_code == 201, put.text

            sent = {"text": "This week at work was heavy"}
            answer = await client.post("/api/v1/people/emp-7/messages", json=sent, headers=AUTH)
            assert answer.status_code == 200, answer.text
            assert answer.json()["reply"] == REPLY
            assert answer.json()["crisis"] is None

            foreign = await client.get("/api/v1/people/emp-7/export", headers=RIVAL)
            assert foreign.status_code == 404  # the rival tenant's emp-7 is nobody

            events = await streamed(client, AUTH, "My manager keeps adding tasks")
            assert {name for name, _ in events[:-1]} == {"delta"}
            assert "".join(str(data["text"]) for _, data in events[:-1]) == REPLY
            assert events[-1] == ("reply", {**answer.json(), "reply": REPLY})

            mood = await client.post("/api/v1/people/emp-7/mood", json={"score": 4}, headers=AUTH)
            assert mood.status_code == 201
            ended = await client.post("/api/v1/people/emp-7/sessions/end", headers=AUTH)
            summary = ended.json()["summary"]
            assert summary

            export = (await client.get("/api/v1/people/emp-7/export", headers=AUTH)).text
            assert "This week at work was heavy" in export
            assert json.dumps(summary, ensure_ascii=False)[1:-1] in export
            assert (await client.delete("/api/v1/people/emp-7", headers=AUTH)).status_code == 204
            gone = await client.get("/api/v1/people/emp-7/export", headers=AUTH)
            assert gone.status_code == 404
            assert gone.headers["content-type"] == "application/problem+json"
            assert (await client.get("/api/v1/stats", headers={})).status_code == 401

            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(30):
                assert await process.wait() == 0
    log = (tmp_path / "output.txt").read_text()
    assert "heavy" not in log  # nothing a person wrote reaches the log
    assert key not in log
