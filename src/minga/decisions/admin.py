from django.contrib import admin

from minga.decisions.models import (
    Answer,
    Comment,
    Consultation,
    Decision,
    DecisionRule,
    DigestPreference,
    Position,
    Proposal,
    ProposalVersion,
    Question,
    Round,
)


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin[Proposal]):
    list_display = ["title", "table", "organization", "status", "created_at"]
    list_filter = ["table", "status"]
    search_fields = ["title"]


admin.site.register(
    [
        DecisionRule,
        ProposalVersion,
        Comment,
        Round,
        Position,
        Decision,
        Consultation,
        Question,
        Answer,
        DigestPreference,
    ]
)
