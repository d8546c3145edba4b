"""Read tools for engines that run outside Walker and call back (Langflow): a signed URL per engine run.

`callback_run` opens a `ToolCallbackRun` for one engine run and gives its URL, which names only that run,
signed; a flow looks data up with `POST <url>/<tool name>` and a JSON body of arguments, and can read nothing
else. The URL lasts as long as its run: it is refused once the run ends (the row is deleted when the engine
returns, whether it answered or failed) or AGENT_ENGINE_TIMEOUT after it began (a run whose worker died).
Calls go through the gateway like the OpenAI engine's (allowed tools, hourly limit, audit), for the tenant,
agent and person the run answers.
"""

import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agents import gateway, read_tools
from agents.models import ToolCallbackRun
from core.errors import http_status
from tenants.input_text import UnreadableInput, load_json

SALT = "walker.agents.read-tools"


@contextmanager
def callback_run(request):
    """The base URL a flow posts read tool calls to, valid while this block (the engine run) lasts."""
    started = timezone.now()
    run = ToolCallbackRun.objects.create(
        tenant=request.tenant,
        agent=request.agent,
        user=request.user,
        conversation_id=request.conversation_id,
        expires_at=started + timedelta(seconds=settings.AGENT_ENGINE_TIMEOUT),
    )
    token = signing.dumps({"run": str(run.pk)}, salt=SALT)
    try:
        yield settings.PUBLIC_BASE_URL + reverse("agents:read-tools", args=[token])
    finally:  # the run is over; runs whose worker died before this point go with it
        ToolCallbackRun.objects.filter(Q(pk=run.pk) | Q(expires_at__lt=started)).delete()


def _error(code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=http_status(code))


def _run_id(token: str) -> uuid.UUID | None:
    """The run a token Walker signed names; None for a token that is not one."""
    try:
        return uuid.UUID(signing.loads(token, salt=SALT)["run"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@csrf_exempt
@require_POST
def call_tool(request, token: str, tool: str):
    run_id = _run_id(token)
    if run_id is None:
        return _error("bad_signature", "This tools URL is not one Walker signed.")
    run = ToolCallbackRun.objects.select_related("tenant", "agent", "user").filter(pk=run_id).first()
    if run is None:
        return _error("run_ended", "The engine run of this tools URL has ended: a URL lasts one run.")
    if run.expires_at <= timezone.now():
        return _error("expired", "This tools URL has expired: it lasts one engine run, at most its timeout.")
    if tool not in read_tools.TOOLS:
        return _error("unknown_tool", f"There is no read tool {tool!r}; see {', '.join(read_tools.TOOLS)}.")
    try:
        arguments = load_json(request.body or b"{}")  # bounded nesting, text PostgreSQL can store
    except UnreadableInput as exc:
        return _error("bad_json", f"The body must be a JSON object of the tool's arguments. {exc}")
    try:
        result = gateway.read(
            tool,
            arguments,
            tenant=run.tenant,
            agent=run.agent,
            user=run.user,
            conversation_id=run.conversation_id,
        )
    except gateway.ReadRefused as refused:
        return _error("refused", str(refused))
    return JsonResponse(result)
