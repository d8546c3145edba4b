"""The console's live script names approval events with the server's words (each frame's `label`, in the reader's
language: test_console_consumer), never with a table of its own (issue 32, point 3)."""

import re
from pathlib import Path

from django.conf import settings

from hitl.models import HITLApprovalHistory

SCRIPT = Path(settings.BASE_DIR) / "static" / "admin" / "walker-live.js"


def _code() -> str:
    """The script without its comments."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", SCRIPT.read_text(), flags=re.S)


def test_the_live_script_keeps_no_names_of_approval_events():
    code = _code()
    for name in HITLApprovalHistory.Event.values:
        assert not re.search(rf"[\"']{name}[\"']|\b{name}\s*:", code), name
    for label in HITLApprovalHistory.Event.labels:
        assert f'gettext("{label}")' not in code, label


def test_it_shows_the_frames_labels_never_a_code():
    code = _code()
    assert "frame.label" in code  # the toast
    assert "approvalStatus = frame.status_label" in code  # the approval page's "now Approved" banner
