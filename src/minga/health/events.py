"""The event types of table health, risks, incidents and capacity (public, permanent: see ``core.events``)."""

from minga.core.events import declare

ELECTION_ADDED = declare("health.election_added")
HANDOVER_PACK_SAVED = declare("health.handover_pack_saved")
INCIDENT_CLOSED = declare("health.incident_closed")
INCIDENT_REPORTED = declare("health.incident_reported")
RESPONSE_TASK_ADDED = declare("health.response_task_added")
RESPONSE_TASK_DONE = declare("health.response_task_done")
RISK_ADDED = declare("health.risk_added")
RISK_CLOSED = declare("health.risk_closed")
RISK_RAISED = declare("health.risk_raised")
SECRETARIAT_FUNDED = declare("health.secretariat_funded")
TRAINING_RECORDED = declare("health.training_recorded")
