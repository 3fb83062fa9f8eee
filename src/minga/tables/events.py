"""The event types of tables, members, organizations, territories and the regional network (public, permanent: see ``core.events``)."""

from minga.core.events import declare

GUIDANCE_ANSWERED = declare("tables.guidance_answered")
GUIDANCE_PUBLISHED = declare("tables.guidance_published")
INSTRUMENT_ADDED = declare("tables.instrument_added")
INVITATION_ACCEPTED = declare("tables.invitation_accepted")
LEADERSHIP_SET = declare("tables.leadership_set")
MEMBER_INVITED = declare("tables.member_invited")
MEMBERS_IMPORTED = declare("tables.members_imported")
MEMBERSHIP_ADDED = declare("tables.membership_added")
MEMBERSHIP_ENDED = declare("tables.membership_ended")
ORGANIZATION_CREATED = declare("tables.organization_created")
PERSON_CREATED = declare("tables.person_created")
REGION_CREATED = declare("tables.region_created")
TABLE_CREATED = declare("tables.table_created")
TABLE_UPDATED = declare("tables.table_updated")
TERRITORY_SET = declare("tables.territory_set")
