"""Sockets end with their sign-in: the chat and console close with 4401 when the person's sessions end (a role
change, deactivation, a new password, an admin, "sign out everywhere") or their own session does, and refuse a
session that no longer exists or has not met the person's MFA policy (4412)."""

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.usersessions.models import UserSession
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from channels_app.chat.consumer import ChatConsumer
from channels_app.console.consumer import ConsoleConsumer
from config.asgi import application
from core.errors import WalkerError
from tenants.identity.signin.sessions import UserSessionsAdapter, end_colleague_sessions
from tenants.models.tenant import default_mfa_roles
from tenants.roles import Role
from tests.fixtures.chat import token_for
from tests.mfa.conftest import enrol_totp

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]
TIMEOUT = 5
SOCKETS = {"/ws/chat/": ChatConsumer, "/ws/console/": ConsoleConsumer}
HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


@database_sync_to_async
def signed_in_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


async def open_socket(path, browser=None, *, token=None) -> WebsocketCommunicator:
    """Through the whole ASGI stack (origin check, session cookie, the user from it), as a browser opens it."""
    headers = [*HEADERS]
    if browser is not None:
        headers.append((b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode()))
    communicator = WebsocketCommunicator(application, path + (f"?token={token}" if token else ""), headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def closed_with(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return output["code"]
        assert output["type"] == "websocket.send"  # the chat's history, sent before the end


async def stays_open(communicator) -> bool:
    """Nothing but frames (the chat's history) and no close within a short while."""
    while not await communicator.receive_nothing(timeout=0.3):
        if (await communicator.receive_output())["type"] == "websocket.close":
            return False
    await communicator.disconnect()
    return True


def change_role(person, role):
    person.role = role
    person.save()


def deactivate(person):
    person.is_active = False
    person.save()


def new_password(person):
    person.set_password("another long passphrase 77")
    person.save()


@pytest.mark.parametrize(
    ("path", "change"),
    [
        ("/ws/console/", lambda person: change_role(person, Role.MEMBER)),
        ("/ws/console/", deactivate),
        ("/ws/console/", new_password),
        ("/ws/chat/", deactivate),
    ],
)
async def test_a_change_of_what_the_sign_in_was_granted_under_closes_the_sockets(path, change, approver):
    socket = await open_socket(path, await signed_in_browser(approver))
    await database_sync_to_async(change)(approver)
    assert await closed_with(socket) == 4401
    assert not await database_sync_to_async(UserSession.objects.filter(user=approver).exists)()


@pytest.mark.parametrize("path", SOCKETS)
async def test_an_admin_ending_a_colleagues_sessions_closes_theirs_only(path, tenant_admin, approver, second_approver):
    theirs = await open_socket(path, await signed_in_browser(approver))
    someone_elses = await open_socket(path, await signed_in_browser(second_approver))
    assert await database_sync_to_async(end_colleague_sessions)(tenant_admin, approver) == 1
    assert await closed_with(theirs) == 4401
    assert await stays_open(someone_elses)


async def test_ending_one_session_closes_its_sockets_and_not_the_other_browsers(approver):
    laptop, phone = await signed_in_browser(approver), await signed_in_browser(approver)
    on_laptop, on_phone = await open_socket("/ws/console/", laptop), await open_socket("/ws/console/", phone)
    row = await database_sync_to_async(UserSession.objects.get)(session_key=laptop.session.session_key)
    await database_sync_to_async(UserSessionsAdapter().end_sessions)([row])
    assert await closed_with(on_laptop) == 4401
    assert await stays_open(on_phone)


async def test_a_chat_opened_with_a_widget_token_closes_when_the_person_is_signed_out_everywhere(colleague):
    socket = await open_socket("/ws/chat/", token=await database_sync_to_async(token_for)(colleague))
    # The chat accepts before it joins its groups, and a token socket has no session to look at again after the
    # join: the change is made once the socket is in (its history frame is sent after the join).
    assert (await socket.receive_json_from(timeout=TIMEOUT))["type"] == "history"
    await database_sync_to_async(change_role)(colleague, Role.APPROVER)
    assert await closed_with(socket) == 4401


@pytest.mark.parametrize("path", SOCKETS)
async def test_a_session_ended_between_the_handshake_and_the_join_is_refused(path, approver):
    """The session that loaded the user is gone by the time the socket looks again (ended meanwhile)."""
    browser = await signed_in_browser(approver)
    store = SessionStore(session_key=browser.session.session_key)
    await database_sync_to_async(store.load)()  # the user was read from it: the handshake's view
    await database_sync_to_async(store.delete)()
    communicator = WebsocketCommunicator(SOCKETS[path].as_asgi(), path)
    communicator.scope.update(user=approver, session=store, cookies={})
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected and await closed_with(communicator) == 4401


# --- the tenant's MFA policy --------------------------------------------------------------------------------------


@database_sync_to_async
def policy_on(tenant, roles=None):
    tenant.mfa_required_roles = roles or default_mfa_roles()
    tenant.save(update_fields=["mfa_required_roles"])


@database_sync_to_async
def showed_factor(browser, user):
    session = browser.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, user, method="mfa", type="totp")
    session.save()


@pytest.mark.parametrize("path", SOCKETS)
async def test_a_session_that_stopped_at_the_password_is_refused_with_4412(path, tenant, approver):
    await policy_on(tenant)
    await database_sync_to_async(enrol_totp)(approver)
    socket = await open_socket(path, await signed_in_browser(approver))
    assert await closed_with(socket) == 4412


async def test_a_person_without_the_factor_their_role_needs_is_refused_with_4412(tenant, approver):
    await policy_on(tenant)
    socket = await open_socket("/ws/console/", await signed_in_browser(approver))
    assert await closed_with(socket) == 4412


@pytest.mark.parametrize("path", SOCKETS)
async def test_a_session_that_showed_its_factor_is_let_in(path, tenant, approver):
    await policy_on(tenant)
    await database_sync_to_async(enrol_totp)(approver)
    browser = await signed_in_browser(approver)
    await showed_factor(browser, approver)
    assert await stays_open(await open_socket(path, browser))


async def test_the_chat_asks_members_only_when_the_policy_names_them(tenant, colleague):
    assert await stays_open(await open_socket("/ws/chat/", await signed_in_browser(colleague)))
    await policy_on(tenant, [Role.MEMBER])
    assert await closed_with(await open_socket("/ws/chat/", await signed_in_browser(colleague))) == 4412


async def test_another_tenants_policy_does_not_apply(other_tenant, approver):
    await policy_on(other_tenant)
    assert await stays_open(await open_socket("/ws/console/", await signed_in_browser(approver)))


async def test_an_admin_of_another_tenant_cannot_end_these_sessions(outsider, approver):
    socket = await open_socket("/ws/console/", await signed_in_browser(approver))
    with pytest.raises(WalkerError) as refused:
        await database_sync_to_async(end_colleague_sessions)(outsider, approver)
    assert refused.value.code == "not_found"
    assert await stays_open(socket)
