"""The event types of the demo and scale loaders (public, permanent: see ``core.events``)."""

from minga.core.events import declare

SCALE_BATCH_LOADED = declare("demo.scale_batch_loaded")
