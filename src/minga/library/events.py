"""The event types of the document library (public, permanent: see ``core.events``)."""

from minga.core.events import declare

DOCUMENT_ADDED = declare("library.document_added")
VERSION_ADDED = declare("library.version_added")
