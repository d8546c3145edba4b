"""The console provider's index of the mail it stored: one JSON line per message in `index.jsonl` beside the files,
so a developer finds a message by who it went to or its subject (`grep priya var/mail/index.jsonl`)."""

import json
from datetime import UTC, datetime
from pathlib import Path

INDEX = "index.jsonl"


def add(folder: Path, *, to: str, subject: str, file: str) -> None:
    """One line, appended in one write: the web process and the workers may add to the same index at once."""
    entry = {"sent_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "to": to, "subject": subject, "file": file}
    with open(folder / INDEX, "a", encoding="utf-8") as index:
        index.write(json.dumps(entry, ensure_ascii=False) + "\n")
