"""The event types of pooled funds, calls, awards and money movements (public, permanent: see ``core.events``)."""

from minga.core.events import declare

APPLICATION_REVIEWED = declare("funds.application_reviewed")
APPLICATION_SUBMITTED = declare("funds.application_submitted")
CALL_OPENED = declare("funds.call_opened")
FUND_CREATED = declare("funds.fund_created")
MILESTONE_MET = declare("funds.milestone_met")
PLATFORM_LINE_ADDED = declare("funds.platform_line_added")
ROLE_ADDED = declare("funds.role_added")
SEAT_ADDED = declare("funds.seat_added")
TRANCHE_ADDED = declare("funds.tranche_added")
TRANCHE_REFUSED = declare("funds.tranche_refused")
TRANSACTION_RECORDED = declare("funds.transaction_recorded")
