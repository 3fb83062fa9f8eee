"""The event types of conservation agreements, incentives, FPIC and consent (public, permanent: see ``core.events``)."""

from minga.core.events import declare

AGREEMENT_CREATED = declare("agreements.agreement_created")
AGREEMENT_SIGNED = declare("agreements.agreement_signed")
CONSENT_RECORDED = declare("agreements.consent_recorded")
CONSENT_WITHDRAWN = declare("agreements.consent_withdrawn")
FPIC_CONSULTATION_RECORDED = declare("agreements.fpic_consultation_recorded")
INCENTIVE_ADDED = declare("agreements.incentive_added")
INCENTIVE_DELIVERED = declare("agreements.incentive_delivered")
OBLIGATION_ADDED = declare("agreements.obligation_added")
