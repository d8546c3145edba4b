"""Walker's production shape on one machine (bin/run-prod-shape), driven through Debian's nginx (issue 34, point 5).

One start of the shape for the module (about a minute: a new database's migrations, collectstatic, nine processes),
then each point on it, as people and Twilio reach it: over TLS, on the public URL, with DEBUG=0 and NUM_PROXIES=1.
"""

import secrets
import shutil
import time

import httpx
import pytest
import websocket
from twilio.request_validator import RequestValidator

from tests.faults.harness import NOT_NUMBERED
from tests.prodshape.shape import Socket, csrf_token
from tests.prometheus import running_prometheus, scrape_job
from tests.workers import wait_for

# The first test also waits for the shape to start (a few minutes on a busy two-core machine): past the suite's 300 s.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.processes,
    pytest.mark.postgres("the production shape runs on PostgreSQL"),
    pytest.mark.timeout(900),
]

QUESTION = "How is my Summer Sale campaign doing?"
RAISE = "Raise the Summer Sale budget to $700 a day"
MEMBER = "member@acme.test"


def chat(shape, browser, query: str = "") -> Socket:
    """A signed-in person's chat socket through nginx (wss, the session cookie, the page's Origin)."""
    return Socket(f"wss://127.0.0.1:{shape.https_port}/ws/chat/{query}", browser=browser, origin=shape.url,
                  tls=shape.tls())  # fmt: skip


def numbered(frames: list[dict]) -> list[dict]:
    return [f for f in frames if f["type"] not in NOT_NUMBERED]


def answered(socket: Socket, client_msg_id: str):
    """The agent's answer to the message the socket sent as `client_msg_id` has arrived."""

    def check(frames):
        ids = [f["id"] for f in frames if f["type"] == "message_received" and f.get("client_msg_id") == client_msg_id]
        return bool(ids) and any(f.get("in_reply_to") == ids[0] for f in socket.of_type("agent_response"))

    return check


def test_a_member_signs_in_and_gets_an_answer_over_a_socket_through_nginx(shape):
    member = shape.sign_in(MEMBER)
    session = next(cookie for cookie in member.cookies.jar if cookie.name == "sessionid")
    assert session.secure, "DEBUG=0 keeps the session cookie to https"

    socket = chat(shape, member)
    socket.wait_for(lambda frames: frames and frames[0]["type"] == "history", "the history frame")
    socket.say(QUESTION, "first")
    socket.wait_for(answered(socket, "first"), "the agent's answer")
    assert "Summer Sale" in socket.of_type("agent_response")[-1]["text"]
    socket.close()


def test_plain_http_is_redirected_and_static_files_come_through_nginx(shape):
    redirected = httpx.get(f"http://127.0.0.1:{shape.http_port}/accounts/login/?next=/widget/")
    assert redirected.status_code == 308
    assert redirected.headers["location"] == f"{shape.url}/accounts/login/?next=/widget/"

    with shape.browser() as browser:
        page = browser.get("/accounts/login/").text
        stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert stylesheet.startswith("/static/"), stylesheet
        served = browser.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/css")
    # Collected with DEBUG=0's manifest: a name with the content's hash, cached for good.
    assert "immutable" in served.headers["cache-control"], served.headers
    assert served.headers.get("content-encoding") == "gzip"


def test_a_twilio_webhook_is_checked_against_the_public_url(shape):
    path = "/channels/whatsapp/webhook"
    form = {
        "MessageSid": f"SM{secrets.token_hex(16)}",
        "From": "whatsapp:+14155550105",  # the demo member's phone
        "To": "whatsapp:+14155238886",  # the demo tenant's number
        "Body": QUESTION,
        "NumMedia": "0",
    }
    validator = RequestValidator(shape.env["TWILIO_AUTH_TOKEN"])
    inbound = "SELECT count(*) FROM conversations_message WHERE channel = 'whatsapp' AND direction = %s"
    with shape.browser() as twilio:
        # Signed on the address the web process listens on, not the one Twilio was given: refused.
        internal = validator.compute_signature(f"http://127.0.0.1:{shape.web_ports[0]}{path}", form)
        refused = twilio.post(path, data=form, headers={"X-Twilio-Signature": internal})
        assert refused.status_code == 403, refused.text
        assert shape.sql(inbound, "inbound") == [(0,)]

        signed = validator.compute_signature(f"{shape.url}{path}", form)
        taken = twilio.post(path, data=form, headers={"X-Twilio-Signature": signed})
    assert taken.status_code == 200 and taken.headers["content-type"].startswith("text/xml"), taken.text
    assert shape.sql(inbound, "inbound") == [(1,)]
    # The answers worker answered it on WhatsApp (the console provider: nothing leaves the machine).
    wait_for(lambda: shape.sql(inbound, "outbound") == [(1,)], "the answer on WhatsApp")


def test_an_approval_decided_in_the_console_reaches_sockets_on_both_websocket_processes(shape):
    member = shape.sign_in(MEMBER)
    socket = chat(shape, member)
    socket.wait_for(lambda frames: frames and frames[0]["type"] == "history", "the history frame")
    socket.say(RAISE, "raise")
    socket.wait_for(answered(socket, "raise"), "the agent's proposal")
    (proposal,) = socket.of_type("agent_response")[-1]["actions"]
    assert proposal["status"] == "pending", proposal

    approver = shape.sign_in("approver@acme.test")
    # One console on each websocket process, straight to its port: whichever process holds the member's socket,
    # the other one holds a console too. The decision is made on a web process.
    consoles = [
        Socket(f"ws://127.0.0.1:{port}/ws/console/", browser=approver, origin=shape.url, tls=None)
        for port in shape.websocket_ports
    ]
    page = approver.get(f"/admin/hitl/hitlapproval/{proposal['approval_id']}/change/")
    assert page.status_code == 200, page.text[:2000]
    decided = approver.post(
        f"/admin/hitl/hitlapproval/{proposal['approval_id']}/decide/",
        data={"decision": "approve", "csrfmiddlewaretoken": csrf_token(page.text)},
    )
    assert decided.status_code == 302, decided.text[:2000]
    status = shape.sql("SELECT status FROM hitl_hitlapproval WHERE id = %s", proposal["approval_id"])[0][0]
    assert status != "pending"

    for console in consoles:
        console.wait_for(
            lambda frames: any(f.get("approval_id") == proposal["approval_id"] for f in frames), "the console's frame"
        )
    socket.wait_for(
        lambda frames: any(f.get("approval_id") == proposal["approval_id"] for f in socket.of_type("approval_update")),
        "the requester's chip",
    )
    for each in (socket, *consoles):
        each.close()


def test_the_client_address_is_read_from_x_forwarded_for(shape):
    """From 127.0.0.2 (still loopback): nginx replaces what the client wrote with the address it saw, and Walker reads
    it through one proxy, not the peer daphne sees (nginx, 127.0.0.1)."""
    with shape.browser(local_address="127.0.0.2") as browser:
        page = browser.get("/accounts/login/")
        form = {"login": "nobody@acme.test", "password": "wrong", "csrfmiddlewaretoken": csrf_token(page.text)}
        refused = browser.post("/accounts/login/", data=form, headers={"X-Forwarded-For": "203.0.113.7"})
    assert refused.status_code == 200  # the form again, with its error
    assert shape.sql("SELECT host(ip_address) FROM axes_accessattempt") == [("127.0.0.2",)]


def test_a_rolling_restart_mid_conversation_loses_nothing(shape):
    """SIGHUP rolls the daphne processes one at a time. The member's socket is cut when its process stops; the
    member writes meanwhile through the API; the client reconnects through nginx with its last seq (per
    docs/chat-protocol.md) as often as it is cut, and gets every event it missed, once and in order."""
    member = shape.sign_in(MEMBER)
    socket = chat(shape, member)
    socket.wait_for(lambda frames: frames and frames[0]["type"] == "history", "the history frame")
    socket.say(QUESTION, "before")
    socket.wait_for(answered(socket, "before"), "the answer before the roll")
    conversation = socket.of_type("agent_response")[-1]["conversation_id"]
    start = socket.received()[0]["seq"] or 0  # where the history left off
    sockets, wrote = [socket], None

    rolls = shape.rolled()
    shape.roll()
    while True:
        try:  # 25 s on a quiet machine; each daphne starts slower beside the other xdist worker
            wait_for(lambda: sockets[-1].closed.is_set() or shape.rolled() > rolls, "the socket cut or the roll", 300)
        except AssertionError as late:
            raise AssertionError(f"{late}\n{shape.logs()}") from None
        if not sockets[-1].closed.is_set():
            break
        if wrote is None:  # while no socket is open: a message through the API, answered meanwhile
            wrote = member.post(
                f"/api/conversations/{conversation}/messages/",
                json={"message": "asked while the socket was down", "client_msg_id": "meanwhile"},
                headers={"X-CSRFToken": member.cookies["csrftoken"]},
            )
            assert wrote.status_code in (200, 201, 202), wrote.text
        last = max((f["seq"] for s in sockets for f in numbered(s.received())), default=start)
        sockets.append(reconnect(shape, member, f"?conversation={conversation}&last_seq={last}"))
    assert len(sockets) >= 2, "the roll never cut the member's socket"

    sockets[-1].say("after the roll", "after")
    sockets[-1].wait_for(answered(sockets[-1], "after"), "the answer after the roll")
    stored = shape.sql(
        "SELECT seq, event_type FROM conversations_conversationevent WHERE conversation_id = %s AND seq > %s "
        "ORDER BY seq",
        conversation,
        start,
    )
    delivered = [(f["seq"], f["type"]) for s in sockets for f in numbered(s.received())]
    assert delivered == stored  # every event once, in order, across the sockets
    asked = [f for s in sockets for f in s.of_type("message_received") if f.get("client_msg_id") == "meanwhile"]
    assert asked and any(f.get("in_reply_to") == asked[0]["id"] for s in sockets for f in s.of_type("agent_response"))
    assert not any(f["type"] == "history" for s in sockets[1:] for f in s.received())
    for port in shape.web_ports + shape.websocket_ports:  # every process is back
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    sockets[-1].close()


def reconnect(shape, browser, query: str) -> Socket:
    """A socket through nginx, tried again while a stopping process refuses it."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return chat(shape, browser, query)
        except (websocket.WebSocketException, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_sockets_through_nginx_spread_over_both_websocket_processes(shape):
    logs = [shape.directory / "logs" / f"websocket-{n}.log" for n in (1, 2)]
    before = [log.read_text().count("WSCONNECT /ws/chat/") for log in logs]
    member = shape.sign_in(MEMBER)
    sockets = [chat(shape, member) for _ in range(10)]
    for socket in sockets:
        socket.wait_for(lambda frames: frames and frames[0]["type"] == "history", "the history frame")
    spread = [log.read_text().count("WSCONNECT /ws/chat/") - count for log, count in zip(logs, before, strict=True)]
    assert sum(spread) == 10 and min(spread) >= 4, spread  # nginx's least_conn: five and five, give or take one
    for socket in sockets:
        socket.close()


FAILURES = 'sum(walker_webhook_signature_failures_total{webhook="twilio"})'


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="needs Debian's prometheus (`make monitoring-tools`)")
def test_prometheus_scrapes_both_web_processes_and_sees_forged_webhooks(shape, tmp_path):
    """A real Prometheus scraping the shape as a ServiceMonitor would (each web process's /metrics with the token),
    while forged Twilio webhooks come in through nginx and spread over both processes."""
    targets = [f"127.0.0.1:{port}" for port in shape.web_ports]
    with running_prometheus(tmp_path, [scrape_job("walker-web", targets, shape.env["METRICS_TOKEN"])]) as prometheus:
        wait_for(lambda: prometheus.value('count(up{job="walker-web"} == 1)') == 2, "both web processes scraped", 60)
        before = prometheus.value(FAILURES) or 0
        form = {"MessageSid": f"SM{secrets.token_hex(16)}", "From": "whatsapp:+14155550105", "Body": "hi"}
        with shape.browser() as forger:
            for _ in range(4):
                refused = forger.post(
                    "/channels/whatsapp/webhook", data=form, headers={"X-Twilio-Signature": "forged="}
                )
                assert refused.status_code == 403, refused.text
        wait_for(lambda: (prometheus.value(FAILURES) or 0) >= before + 4, "Prometheus to see the four failures", 60)
