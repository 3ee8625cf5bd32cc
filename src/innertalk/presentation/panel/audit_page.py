"""``/admin/audit``: the newest entries of the audit log — the viewer's tenant's operators'
(every entry for an operator of every tenant). Who, what, when, from where; never content."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from innertalk.application.panel.ports import AuditLog
from innertalk.presentation.panel.layout import render
from innertalk.presentation.panel.page import PanelPage, PanelViewer

SHOWN = 200


def audit_pages(log: AuditLog) -> list[PanelPage]:
    async def get(viewer: PanelViewer, _query: Mapping[str, str]) -> Markup:
        entries = await log.entries(viewer.tenant, SHOWN)
        return render("shell/audit.html", viewer.language, entries=entries)

    return [PanelPage("/audit", "nav_audit", get)]
