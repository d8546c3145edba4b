"""Where a chat frame's message (and its rating, `rate`) goes: the person is the socket's signed-in user and the
tenant theirs, so a message
goes straight to the pipeline's accept(); its answer comes from a worker, through the conversation's events.

Synchronous: the consumer runs it in a worker thread.
"""

from conversations import satisfaction
from conversations.models import Channel
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline import Accepted, accept, client_message_id


def accept_message(user, message: str, client_msg_id, agent) -> Accepted | dict:
    """Store the message (its answer comes from a worker, through the conversation's events), or an error frame."""
    try:
        return accept(
            InboundMessage(
                channel=Channel.CHAT,
                text=message,
                user_id=user.pk,
                agent_type=agent,
                client_msg_id=client_msg_id,
                channel_message_id=client_message_id(user, client_msg_id),
            ),
            user=user,
        )
    except IngestError as err:
        return {"type": "error", "code": err.code, "detail": err.detail, "client_msg_id": client_msg_id}


def rate(user, score: int, conversation_id) -> dict:
    """A `rate` frame taken: `rated`, or an error frame whose detail tells the person why not, politely."""
    try:
        survey = satisfaction.survey_of(user, conversation_id)
        satisfaction.rate(survey, score)
    except satisfaction.RatingRefused as refused:
        return {"type": "error", "code": refused.code, "detail": refused.detail}
    return {"type": "rated", "conversation_id": str(survey.conversation_id), "score": survey.score,
            "text": satisfaction.thanks(survey)}  # fmt: skip
