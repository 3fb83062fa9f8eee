"""The event types of satellite verification (public, permanent: see ``core.events``)."""

from minga.core.events import declare

ANALYSIS_COMPLETED = declare("satellite.analysis_completed")
ANALYSIS_QUEUED = declare("satellite.analysis_queued")
ANALYSIS_STARTED = declare("satellite.analysis_started")
FETCH_QUEUED = declare("satellite.fetch_queued")
FETCH_STARTED = declare("satellite.fetch_started")
HOTSPOTS_CHECKED = declare("satellite.hotspots_checked")
LABELS_RECORDED = declare("satellite.labels_recorded")
LAYER_REGISTERED = declare("satellite.layer_registered")
SAMPLE_DRAWN = declare("satellite.sample_drawn")
VERIFICATION_ISSUED = declare("satellite.verification_issued")
