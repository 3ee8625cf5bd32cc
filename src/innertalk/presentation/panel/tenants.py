"""``/admin/tenants`` (operators of every tenant only): tenants, their bots and API keys;
create a key (its secret shown once, in the response to the POST) or revoke one."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from innertalk.application.operations.api_keys import ApiKeyService
from innertalk.application.operations.tenants import TenantError, TenantRegistry
from innertalk.presentation.panel.layout import render
from innertalk.presentation.panel.page import PanelPage, PanelViewer, PostOutcome


class TenantsPage:
    def __init__(self, directory: TenantRegistry, keys: ApiKeyService) -> None:
        self._directory = directory
        self._keys = keys

    async def get(self, viewer: PanelViewer, query: Mapping[str, str]) -> Markup:
        done = query.get("revoked", "")
        notice = ("tenants_revoked_done", {"key": done}) if done.isalnum() else None
        return await self._render(viewer, notice=notice)

    async def _render(
        self,
        viewer: PanelViewer,
        *,
        notice: tuple[str, Mapping[str, str]] | None = None,
        secret: tuple[str, str] | None = None,
    ) -> Markup:
        tenants = await self._directory.tenants()
        bots = await self._directory.bots()
        keys = await self._keys.keys()
        return render(
            "shell/tenants.html",
            viewer.language,
            viewer=viewer,
            tenants=[
                (
                    tenant,
                    [bot.bot_id for bot in bots if bot.tenant == tenant.name],
                    [key for key in keys if key.tenant == tenant.name],
                )
                for tenant in tenants
            ],
            notice=notice,
            secret=secret,
        )

    async def post(self, viewer: PanelViewer, form: Mapping[str, str]) -> PostOutcome:
        action, tenant, key_id = form.get("action"), form.get("tenant", ""), form.get("key", "")
        try:
            if action == "create":
                issued = await self._keys.create(tenant)
                html = await self._render(viewer, secret=(tenant, issued.secret))
                return PostOutcome(
                    html=html, audit=f"apikey.create {issued.key.id} tenant={tenant}"
                )
            if action == "revoke":
                key = await self._keys.revoke(key_id)
                return PostOutcome(
                    redirect=f"/tenants?revoked={key.id}",
                    audit=f"apikey.revoke {key.id} tenant={key.tenant}",
                )
        except TenantError as error:
            notice = ("tenants_error", {"reason": str(error)})
            return PostOutcome(html=await self._render(viewer, notice=notice))
        return PostOutcome(redirect="/tenants")


def tenant_pages(directory: TenantRegistry, keys: ApiKeyService) -> list[PanelPage]:
    page = TenantsPage(directory, keys)
    return [PanelPage("/tenants", "nav_tenants", page.get, page.post, all_tenants_only=True)]
