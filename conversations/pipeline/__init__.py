"""One code path for every channel.

`accept()` runs in the web process: it stores the inbound message and its event
and enqueues the answer. `answer()` runs in a Celery worker: it runs the agent,
sends proposals to approval and stores the reply with its event.
"""

from conversations.pipeline.answering import answer
from conversations.pipeline.intake import Accepted, accept, client_message_id

__all__ = ["Accepted", "accept", "answer", "client_message_id"]
