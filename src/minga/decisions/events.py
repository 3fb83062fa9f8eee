"""The event types of proposals, rounds, consultations and the register (public, permanent: see ``core.events``)."""

from minga.core.events import declare

COMMENT_ADDED = declare("decisions.comment_added")
CONSULTATION_ANSWERED = declare("decisions.consultation_answered")
CONSULTATION_OPENED = declare("decisions.consultation_opened")
CONSULTATION_RESPONSE_PUBLISHED = declare("decisions.consultation_response_published")
DIGEST_SET = declare("decisions.digest_set")
OUTCOME_RECORDED = declare("decisions.outcome_recorded")
POSITION_CHANGED = declare("decisions.position_changed")
POSITION_STATED = declare("decisions.position_stated")
PROPOSAL_AMENDED = declare("decisions.proposal_amended")
PROPOSAL_CREATED = declare("decisions.proposal_created")
ROUND_CLOSED = declare("decisions.round_closed")
ROUND_OPENED = declare("decisions.round_opened")
RULE_SET = declare("decisions.rule_set")
