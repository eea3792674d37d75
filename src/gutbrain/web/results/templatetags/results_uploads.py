"""``{% client_uploads client %}``: the uploads list on a client's file (staff only)."""

from __future__ import annotations

from typing import Any

from django import template

from gutbrain.web.accounts.models import Role
from gutbrain.web.results.models import Upload

register = template.Library()


@register.inclusion_tag("results/_client_uploads.html", takes_context=True)
def client_uploads(context: template.Context, client: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    staff = getattr(user, "role", None) in (Role.OWNER, Role.PRACTITIONER)
    uploads = Upload.objects.visible_to(user).filter(client=client)[:20] if staff else []
    return {"client": client, "uploads": uploads, "staff": staff}
