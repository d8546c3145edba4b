"""An answer shown as it is written: the engine's pieces, gathered a little, broadcast as `agent_delta` frames.

Frames are neither stored nor numbered (a socket that misses some still gets the whole `agent_response`);
pieces are sent together every FLUSH_SECONDS or FLUSH_CHARS so a fast model does not flood the layer.
"""

import time

from conversations import events

FLUSH_SECONDS = 0.1
FLUSH_CHARS = 80


class DeltaBroadcaster:
    def __init__(self, conversation_id, in_reply_to, agent_type):
        self.conversation_id, self.in_reply_to, self.agent_type = conversation_id, str(in_reply_to), agent_type
        self.pending, self.sent_at, self.index = "", 0.0, 0  # the first piece goes at once

    def __call__(self, piece: str) -> None:
        self.pending += piece
        if len(self.pending) >= FLUSH_CHARS or time.monotonic() - self.sent_at >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        events.signal(
            self.conversation_id,
            events.Signal.AGENT_DELTA,
            text=self.pending,
            index=self.index,
            in_reply_to=self.in_reply_to,
            agent=self.agent_type,
        )
        self.pending, self.sent_at, self.index = "", time.monotonic(), self.index + 1
