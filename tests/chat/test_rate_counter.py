"""The per-user chat counter survives its key vanishing between `add` and `incr` (a cache flush or eviction)."""

from django.core.cache import cache

from channels_app.chat.consumer import _count_hit


def test_hits_count_up_within_a_window():
    cache.delete("chat-rate:test")
    assert [_count_hit("chat-rate:test") for _ in range(3)] == [1, 2, 3]


def test_a_key_evicted_between_add_and_incr_starts_the_window_again(monkeypatch):
    cache.delete("chat-rate:evicted")
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: True)  # "added", but gone before the incr
    assert _count_hit("chat-rate:evicted") == 1
    monkeypatch.undo()
    assert _count_hit("chat-rate:evicted") == 2  # the counter goes on from the restarted window
