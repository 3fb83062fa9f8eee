from django.contrib import admin

from minga.meetings.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Meeting,
    MeetingRules,
    Priority,
    RankingRound,
)


class AgendaInline(admin.TabularInline[AgendaItem, Meeting]):
    model = AgendaItem
    extra = 0
    exclude = ["system_text"]  # minga's own words, kept as messages: not edited by hand


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ["title", "table", "kind", "starts_at", "status", "is_public"]
    list_filter = ["table", "kind", "status"]
    search_fields = ["title"]
    inlines = [AgendaInline]


admin.site.register([MeetingRules, Attendance, Priority, RankingRound, Ballot])
