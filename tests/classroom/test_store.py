"""The store's group-committing writer on each backend."""
from __future__ import annotations

import asyncio

from classroom.store import Store


def test_the_writer_keeps_one_connection_and_replaces_it_when_it_breaks(db_url):
    store = Store(db_url)

    async def go():
        await store.write(Store.op_session({"id": "ab" * 8, "code": "CODE12", "secret": "s" * 20, "scenario_path": "p",
                                            "scenario_id": "tutorial", "scenario_version": "1", "mode": "free",
                                            "seed": 1, "control": {}}))
        seat = await store.write(Store.op_seat("ab" * 8, "Sam", "h" * 64))
        await store.write(Store.op_action(seat, 0, {"choose": 0}, 0))
        kept = store._conn
        await store.write(Store.op_action(seat, 1, {"advance": True}, 0))
        assert store._conn is kept  # the same connection for every commit
        kept.connection.dbapi_connection.close()  # the database drops it under the writer
        await store.write(Store.op_action(seat, 2, {"choose": 1}, 0))  # retried on a fresh connection
        assert store._conn is not kept
        await store.close()
    asyncio.run(go())
    seats = Store(db_url).load_all()[0]["seats"]
    assert [a for _, a, _ in seats[0]["actions"]] == [{"choose": 0}, {"advance": True}, {"choose": 1}]
