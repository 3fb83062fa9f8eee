"""An event's leaf, written member by member for speed, is exactly RFC 8785 (the reference
encoder, ``rfc8785``) of the event's body, whatever the strings, payloads and times hold."""

import datetime as dt

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from minga.ledger import leaves

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
# Hypothesis takes naive bounds; the time zone comes from ``timezones``.
EARLIEST = dt.datetime(1000, 1, 1)  # noqa: DTZ001
LATEST = dt.datetime(9999, 1, 1)  # noqa: DTZ001
times = st.datetimes(EARLIEST, LATEST, timezones=st.just(dt.UTC)) | st.datetimes(EARLIEST, LATEST)


@given(
    event_id=st.integers(min_value=1, max_value=2**53 - 1),
    type_=st.text(min_size=1),
    at=times,
    actor=st.text(),
    table=st.text(),
    subject=st.text(),
    payload=json_values,
    sensitivity=st.sampled_from([0, 1, 2]),
    salt=st.binary(min_size=16, max_size=16),
)
def test_the_leaf_is_the_reference_canonical_json(
    event_id, type_, at, actor, table, subject, payload, sensitivity, salt
):
    body = {
        "v": leaves.VERSION,
        "event": event_id,
        "type": type_,
        "at": leaves._utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "table": table,
        "subject": subject,
        "sensitivity": sensitivity,
    }
    if sensitivity:
        body["payload_commitment"] = leaves.commitment(payload, salt)
    else:
        body["payload"] = payload
    assert leaves.event_leaf(
        event_id=event_id,
        type=type_,
        occurred_at=at,
        actor=actor,
        table=table,
        subject=subject,
        payload=payload,
        sensitivity=sensitivity,
        salt=salt,
    ) == rfc8785.dumps(body)
