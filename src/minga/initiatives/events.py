"""The event types of initiatives, money, commitments and reports (public, permanent: see ``core.events``)."""

from minga.core.events import declare

COMMITMENT_MADE = declare("initiatives.commitment_made")
DUE_DATE_PASSED = declare("initiatives.due_date_passed")
COMMITMENT_REMINDED = declare("initiatives.commitment_reminded")
COMMITMENT_UPDATED = declare("initiatives.commitment_updated")
INITIATIVE_CREATED = declare("initiatives.initiative_created")
INITIATIVE_UPDATED = declare("initiatives.initiative_updated")
INITIATIVES_IMPORTED = declare("initiatives.initiatives_imported")
INITIATIVES_POOLED = declare("initiatives.initiatives_pooled")
INITIATIVES_UNPOOLED = declare("initiatives.initiatives_unpooled")
RATE_SET = declare("initiatives.rate_set")
REPORT_ATTESTED = declare("initiatives.report_attested")
REPORT_PUBLISHED = declare("initiatives.report_published")
