"""Read tools for engines that run outside Walker and call back (Langflow): a signed URL per engine run.

The URL names the tenant, agent, person and conversation of one engine run, signed and short-lived, so
a flow can look data up with `POST <url>/<tool name>` and a JSON body of arguments, and can read nothing
else. Calls go through the gateway like the OpenAI engine's (allowed tools, hourly limit, audit).
"""

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agents import gateway, read_tools
from agents.models import AIAgent
from tenants.input_text import UnreadableInput, load_json
from tenants.models import Tenant, User

SALT = "walker.agents.read-tools"
GRACE_SECONDS = 60  # beyond the engine's own timeout


def tools_url(request) -> str:
    """The base URL a flow posts read tool calls to, for this engine run."""
    token = signing.dumps(
        {
            "tenant": str(request.tenant.pk),
            "agent": str(request.agent.pk),
            "user": str(request.user.pk),
            "conversation": request.conversation_id,
        },
        salt=SALT,
        compress=True,
    )
    return settings.PUBLIC_BASE_URL + reverse("agents:read-tools", args=[token])


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


@csrf_exempt
@require_POST
def call_tool(request, token: str, tool: str):
    try:
        run = signing.loads(token, salt=SALT, max_age=settings.AGENT_ENGINE_TIMEOUT + GRACE_SECONDS)
    except signing.SignatureExpired:
        return _error(403, "expired", "This tools URL has expired: it lasts one engine run.")
    except signing.BadSignature:
        return _error(403, "bad_signature", "This tools URL is not one Walker signed.")
    tenant = Tenant.objects.filter(pk=run["tenant"]).first()
    agents = AIAgent.objects.filter(Q(tenant=tenant) | Q(is_system_agent=True)) if tenant else AIAgent.objects.none()
    agent = agents.filter(pk=run["agent"]).first()
    if agent is None:
        return _error(404, "not_found", "The agent of this run no longer exists.")
    if tool not in read_tools.TOOLS:
        return _error(404, "unknown_tool", f"There is no read tool {tool!r}; see {', '.join(read_tools.TOOLS)}.")
    try:
        arguments = load_json(request.body or b"{}")  # bounded nesting, text PostgreSQL can store
    except UnreadableInput as exc:
        return _error(400, "bad_json", f"The body must be a JSON object of the tool's arguments. {exc}")
    try:
        result = gateway.read(
            tool,
            arguments,
            tenant=tenant,
            agent=agent,
            user=User.objects.filter(pk=run["user"], tenant=tenant).first(),
            conversation_id=run["conversation"],
        )
    except gateway.ReadRefused as refused:
        return _error(400, "refused", str(refused))
    return JsonResponse(result)
