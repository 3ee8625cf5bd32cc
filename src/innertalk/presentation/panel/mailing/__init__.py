"""The panel's ``/mailing`` page: compose, preview exactly as sent, confirm, progress,
cancel and history (issue 16). Jobs are sent by the worker in ``innertalk bot``."""

from __future__ import annotations

from innertalk.presentation.panel.mailing.page import mailing_pages

__all__ = ["mailing_pages"]
