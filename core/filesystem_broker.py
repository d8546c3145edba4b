"""The embedded default's Celery broker: kombu's filesystem transport, handing out whole messages only.

kombu's transport (kombu/transport/filesystem.py) creates a message file under its final name and then writes
into it, and its reader takes any file with that name without a lock: a worker listing the queue folder in
between reads an empty or truncated file, and the JSONDecodeError this raises in `_get` stops the worker
(issue 46; upstream: celery/kombu#1551, "JSON decode error 'Expecting value: line 1 column 1 (char 0)'", a
consumer stopped by an empty message file, still open). Here:

- a message is written under a name the reader never takes (a leading dot) and renamed into place with
  `os.replace`, atomic on one file system: a reader finds the whole file or none;
- a file that cannot be decoded all the same (another writer, a full disk, a hand-edited queue) is logged,
  moved into the `set_aside_folder` transport option's folder for a person to read, and counted
  (walker_broker_messages_set_aside_total); the worker goes on with the next message;
- a name starts with the monotonic clock in nanoseconds, zero-padded, so messages put in the same millisecond
  keep their order (kombu's names sort by the millisecond, then by a random uuid).

Selected by config/settings.py for the embedded default only (CELERY_BROKER_TRANSPORT); production uses Redis.
"""

import contextlib
import logging
import os
import time
import uuid
from pathlib import Path
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

from core.metrics import BROKER_MESSAGES_SET_ASIDE, queue_names

log = logging.getLogger(__name__)


def decode(raw: bytes) -> dict:
    """A message file's content as the message kombu wrote; ValueError saying why when it is not one."""
    message = loads(bytes_to_str(raw))  # JSONDecodeError and UnicodeDecodeError are ValueErrors
    if not isinstance(message, dict) or not isinstance(message.get("properties"), dict):
        raise ValueError(f"not a kombu message: {type(message).__name__}")
    return message


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{time.monotonic_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            source, claimed = os.path.join(self.data_folder_in, name), os.path.join(self.claim_folder, name)
            try:
                os.rename(source, claimed)  # atomic: one consumer gets it
            except FileNotFoundError:
                continue  # taken by another consumer in the meantime
            except OSError as exc:
                raise ChannelError(f"Cannot move {source!r} to {claimed!r}.") from exc
            try:
                with open(claimed, "rb") as file:
                    raw = file.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            try:
                message = decode(raw)
            except ValueError as exc:
                self.set_aside(claimed, queue, str(exc))
                continue
            if not self.store_processed:
                os.remove(claimed)
            return message
        raise Empty()

    def set_aside(self, path: str, queue: str, reason: str) -> None:
        """Move a message file that cannot be decoded out of the way, kept for a person to look at."""
        folder = Path(self.set_aside_folder)
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / Path(path).name
        os.replace(path, kept)
        BROKER_MESSAGES_SET_ASIDE.labels(queue=queue if queue in queue_names() else "other").inc()
        log.error("A message file of queue %s could not be decoded (%s): set aside as %s", queue, reason, kept)

    @cached_property
    def claim_folder(self) -> str:
        """Where a message is moved to be read (kombu's processed folder), made if missing: a rename into a folder
        that is not there would skip every message."""
        os.makedirs(self.processed_folder, exist_ok=True)
        return self.processed_folder

    @cached_property
    def set_aside_folder(self) -> str:
        return self.transport_options.get("set_aside_folder", "set-aside")


class Transport(filesystem.Transport):
    Channel = Channel
