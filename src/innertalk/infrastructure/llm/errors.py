"""Provider errors, classified once, each class with one documented reaction in the router.

- TRANSIENT (connect error, 5xx, timeout, broken stream, malformed response): a breaker
  failure; fail over at once while another provider is healthy; back off only when none is.
- RATE_LIMITED (429): cool this provider for at least Retry-After; fail over.
- CONTEXT_OVERFLOW (400 "context length exceeded"): trim the history (summary + newest turns)
  and retry once on the same provider.
- AUTH (401, 403): disable this provider for a long cool-down, alert admins, no retry; fail over.
- BAD_REQUEST (other 4xx): no retry, no breaker trip; the person gets a gentle reply.
- CONTENT_POLICY (safety block, refusal): no retry, no breaker trip; a gentle reply.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"
    CONTEXT_OVERFLOW = "context_overflow"
    AUTH = "auth"
    BAD_REQUEST = "bad_request"
    CONTENT_POLICY = "content_policy"


class ProviderError(Exception):
    """A provider call failed; ``kind`` decides what the router does next.

    ``retry_after`` (seconds) is taken from *this* error's response, never from an earlier one.
    The message never contains request or response text.
    """

    def __init__(
        self,
        kind: ErrorKind,
        provider: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        detail: str = "",
    ) -> None:
        self.kind = kind
        self.provider = provider
        self.status = status
        self.retry_after = retry_after
        self.detail = detail
        super().__init__(f"{provider}: {kind.value}" + (f" ({status})" if status else ""))
