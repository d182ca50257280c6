"""live.consumers.Newest: an activity's counts are published newest-only,
at most one publish in flight per group and activity."""

import asyncio

from asgiref.sync import async_to_sync

from live.consumers import Newest


class SlowLayer:
    def __init__(self):
        self.sent = []

    async def group_send(self, name, event):
        await asyncio.sleep(0.01)
        self.sent.append((name, event["message"]["total"]))


def _counts(total):
    return {"type": "counts", "activity": "sure", "counts": {"a": total}, "total": total}


def test_a_burst_of_counts_publishes_fewer_messages_ending_with_the_newest():
    layer, newest = SlowLayer(), Newest()

    async def burst():
        for total in range(1, 31):
            newest.send(layer, "live.1.screens", _counts(total))
            await asyncio.sleep(0.001)
        # An older count that arrives late never replaces a newer one waiting.
        newest.send(layer, "live.1.screens", _counts(31))
        newest.send(layer, "live.1.screens", _counts(29))
        while newest.running:
            await asyncio.sleep(0.01)

    async_to_sync(burst)()
    totals = [total for _, total in layer.sent]
    assert totals[-1] == 31
    assert totals == sorted(totals) and len(totals) < 31


def test_each_group_and_activity_has_its_own_publisher():
    layer, newest = SlowLayer(), Newest()

    async def two():
        newest.send(layer, "live.1.screens", _counts(1))
        newest.send(layer, "live.2.screens", _counts(7))
        while newest.running:
            await asyncio.sleep(0.01)

    async_to_sync(two)()
    assert sorted(layer.sent) == [("live.1.screens", 1), ("live.2.screens", 7)]
