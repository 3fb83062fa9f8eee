"""The event types of the roadmap (public, permanent: see ``core.events``)."""

from minga.core.events import declare

AXIS_CREATED = declare("roadmap.axis_created")
INDICATOR_CREATED = declare("roadmap.indicator_created")
MEASUREMENT_RECORDED = declare("roadmap.measurement_recorded")
MILESTONE_ADDED = declare("roadmap.milestone_added")
OBJECTIVE_CREATED = declare("roadmap.objective_created")
RESULT_CREATED = declare("roadmap.result_created")
RESULT_UPDATED = declare("roadmap.result_updated")
