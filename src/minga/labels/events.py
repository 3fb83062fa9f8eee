"""The event types of Local Contexts labels (public, permanent: see ``core.events``)."""

from minga.core.events import declare

LABEL_ADOPTED = declare("labels.label_adopted")
HUB_PROJECT_CACHED = declare("labels.hub_project_cached")
LABEL_APPLIED = declare("labels.label_applied")
LABEL_REMOVED = declare("labels.label_removed")
