"""Chat frames that cannot be stored or parsed get an error frame, and the socket stays open (issue 17, point 5)."""

import pytest
from channels.db import database_sync_to_async

from channels_app.chat import parse
from conversations.models import Message


@pytest.mark.parametrize(
    "frame, code",
    [
        ('{"type": "send_message", "message": "nul \\u0000 here", "client_msg_id": "c1"}', "invalid"),
        ('{"type": "send_message", "message": "lone \\ud800 surrogate", "client_msg_id": "c1"}', "invalid"),
        ('{"type": "send_message", "message": "hi", "client_msg_id": "c\\u0000"}', "invalid"),
        ('{"type": "send_message", "message": "hi", "client_msg_id": "c\\udfff"}', "invalid"),
        ("[" * 20000 + "]" * 20000, "bad_json"),
        ('{"type": "send_message", "message": ' + "[" * 40 + "]" * 40 + "}", "bad_json"),
    ],
)
@pytest.mark.asyncio
@pytest.mark.usefixtures("chat_db")
async def test_unstorable_or_deep_frames_are_refused_socket_stays_open(open_tab, colleague, engine, frame, code):
    connected, tab = await open_tab(colleague)
    await tab.next()
    await tab.ws.send_to(text_data=frame)
    error = await tab.next()
    assert error["type"] == "error" and error["code"] == code and error["detail"]
    await tab.say("still there?", "c2")
    assert (await tab.until("agent_response"))[-1]["type"] == "agent_response"
    assert await database_sync_to_async(Message.objects.count)() == 2  # only "still there?" and its answer
    await tab.close()


def test_the_error_for_a_bad_message_names_its_client_msg_id():
    with pytest.raises(parse.ProtocolError) as caught:
        parse.parse('{"type": "send_message", "message": "a\\u0000", "client_msg_id": "c7"}')
    assert (caught.value.code, caught.value.client_msg_id) == ("invalid", "c7")
