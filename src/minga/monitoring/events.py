"""The event types of field monitoring (public, permanent: see ``core.events``)."""

from minga.core.events import declare

ALERT_RAISED = declare("monitoring.alert_raised")
FIELD_DATA_IMPORTED = declare("monitoring.field_data_imported")
FIELD_IMPORT_QUEUED = declare("monitoring.field_import_queued")
OWNER_OBSERVATIONS_DELETED = declare("monitoring.owner_observations_deleted")
CATEGORY_MAPPED = declare("monitoring.category_mapped")
SOURCE_MAPPED = declare("monitoring.source_mapped")
SOURCE_CONNECTED = declare("monitoring.source_connected")
SOURCE_SYNC_QUEUED = declare("monitoring.source_sync_queued")
