"""Adapters of the operator panel: argon2id passwords, TOTP, failed-login counters and
server-side sessions (in Redis with ``REDIS_URL``, else in this process)."""
