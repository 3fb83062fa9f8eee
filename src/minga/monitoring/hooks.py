"""What field monitoring does when areas below it act (see ``core.hooks``)."""

from __future__ import annotations

import hashlib
import json

from minga.agreements import events as agreements_events
from minga.agreements.models import Agreement
from minga.core import hooks
from minga.core.access import SYSTEM, Sensitivity
from minga.core.events import record_event
from minga.core.models import Event
from minga.monitoring import events
from minga.monitoring.models import Observation


@hooks.register(agreements_events.CONSENT_WITHDRAWN, when=hooks.IN_TRANSACTION)
def forget_owner_observations(event: Event) -> None:
    """A community withdrew its consent: delete its owner-level observations, in the same
    transaction, and log only their SHA-256 commitments."""
    public_id = event.subject_id
    agreement = Agreement.objects.select_related("table").get(public_id=public_id)
    found = Observation.objects.filter(agreement=agreement, sensitivity=Sensitivity.OWNER)
    commitments = [
        hashlib.sha256(
            json.dumps([o.source, o.source_key, o.lon, o.lat, o.kind], sort_keys=True).encode()
        ).hexdigest()
        for o in found
    ]
    if not commitments:
        return
    found.delete()
    record_event(
        events.OWNER_OBSERVATIONS_DELETED,
        actor=event.actor or SYSTEM,
        table=agreement.table,
        subject=agreement,
        sensitivity=Sensitivity.OWNER,
        payload={"deleted_sha256": commitments},
    )
