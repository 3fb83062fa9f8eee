from django.contrib import admin

from minga.initiatives.models import (
    AccountabilityReport,
    Commitment,
    ExchangeRate,
    Funding,
    Initiative,
    ReportingCurrency,
)


class FundingInline(admin.TabularInline[Funding, Initiative]):
    model = Funding
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin[Initiative]):
    list_display = ["title", "table", "organization", "axis", "status", "starts_on", "ends_on"]
    list_filter = ["table", "status", "axis"]
    search_fields = ["title"]
    inlines = [FundingInline]
    readonly_fields = ["west", "south", "east", "north"]


admin.site.register([ReportingCurrency, ExchangeRate, Commitment, AccountabilityReport])
