"""POSTing a signed crisis event to a tenant's webhook with aiohttp, within bounded time.

One ``ClientSession`` per process (its own pool); every request has connect, read and total
timeouts, redirects are not followed (a 3xx is a failed attempt: the URL is configured, not
discovered) and the answer's body is never read. Errors are reported by class only.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from innertalk.application.webhooks.delivery import WebhookPostError

CONNECT_TIMEOUT = 5.0


class AiohttpWebhookPoster:
    """A ``WebhookPoster``; ``timeout`` (``CRISIS_WEBHOOK_TIMEOUT``) bounds each attempt."""

    def __init__(self, timeout: float) -> None:
        self._timeout = aiohttp.ClientTimeout(
            total=timeout, connect=min(CONNECT_TIMEOUT, timeout), sock_read=timeout
        )
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if self._session is None:  # made on the running loop, at the first attempt
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as response:
                return response.status
        except TimeoutError:
            raise WebhookPostError("timeout") from None
        except aiohttp.ClientConnectorError:
            raise WebhookPostError("connection") from None
        except (aiohttp.ClientError, ValueError) as error:  # ValueError: a malformed URL
            raise WebhookPostError(type(error).__name__) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
