"""The event types of meetings, attendance, minutes and the joint agenda (public, permanent: see ``core.events``)."""

from minga.core.events import declare

AGENDA_ITEM_ADDED = declare("meetings.agenda_item_added")
AGENDA_REORDERED = declare("meetings.agenda_reordered")
ATTENDANCE_RECORDED = declare("meetings.attendance_recorded")
BALLOT_CAST = declare("meetings.ballot_cast")
BALLOT_CHANGED = declare("meetings.ballot_changed")
MEETING_CANCELLED = declare("meetings.meeting_cancelled")
MEETING_CHANGED = declare("meetings.meeting_changed")
MEETING_CONVENED = declare("meetings.meeting_convened")
MEETING_CREATED = declare("meetings.meeting_created")
MINUTES_PUBLISHED = declare("meetings.minutes_published")
MINUTES_SAVED = declare("meetings.minutes_saved")
PRIORITY_SELECTED = declare("meetings.priority_selected")
PRIORITY_SUBMITTED = declare("meetings.priority_submitted")
RANKING_CLOSED = declare("meetings.ranking_closed")
RANKING_OPENED = declare("meetings.ranking_opened")
RULES_SET = declare("meetings.rules_set")
