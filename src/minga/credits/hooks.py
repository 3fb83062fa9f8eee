"""The credit registry's part in the log's audit (see ``core.hooks``)."""

from __future__ import annotations

from minga.core import hooks
from minga.credits.audit import replay_registry
from minga.ledger.audit import REGISTRY_AUDITOR

hooks.register(REGISTRY_AUDITOR)(replay_registry)
