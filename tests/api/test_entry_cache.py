"""A process keeps the entries it committed; another process (another store object on the
same database) moving a protocol on is still a version conflict, answered with the values
in the store."""

from __future__ import annotations

import pytest
from api_helpers import ELECTION_ID, PASSWORD

from saylau.core.entry import Claim, Release
from saylau.core.roles import Assignment, Role
from saylau.services.accounts import authenticate, change_role, create_user, sign_in
from saylau.services.entry import ProtocolRef, act
from saylau.services.errors import VersionConflictError
from saylau.store import Store
from saylau.store.db import open_store


def test_a_protocol_moved_on_by_another_process_is_a_version_conflict(store: Store) -> None:
    create_user(store, "ana", "Ana", PASSWORD)
    change_role(store, Assignment("ana", ELECTION_ID, "cec", Role.TYPIST), grant=True)
    token = sign_in(store, "ana", PASSWORD, "127.0.0.1", kind="token").secret
    ana = authenticate(store, token)
    ref = ProtocolRef(ELECTION_ID, "001", "list")
    assert act(store, ana, ref, Claim("ana"), expected_version=0).body["version"] == 1
    url = store.engine.url.render_as_string(hide_password=False)
    with open_store(url) as other:  # another worker process, as far as caches go
        answer = act(other, ana, ref, Release("ana"), expected_version=1)
        assert answer.body["version"] == 2
        assert answer.body["stage"] == "empty"
    with pytest.raises(VersionConflictError) as conflict:
        act(store, ana, ref, Release("ana"), expected_version=1)
    assert conflict.value.current["version"] == 2
    assert conflict.value.current["stage"] == "empty"
    claimed = act(store, ana, ref, Claim("ana"), expected_version=2)
    assert claimed.body["version"] == 3
    assert claimed.body["stage"] == "first-claimed"
