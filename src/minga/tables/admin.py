from django.contrib import admin

from minga.tables.models import (
    Instrument,
    Invitation,
    Membership,
    Organization,
    Person,
    Region,
    Table,
    Territory,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["name", "slug", "hectares", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["task_force"]
    readonly_fields = ["west", "south", "east", "north"]


class TerritoryInline(admin.TabularInline[Territory, Table]):
    model = Territory
    fields = ["name", "hectares", "sensitivity"]
    readonly_fields = ["hectares"]
    extra = 0
    show_change_link = True


class InstrumentInline(admin.TabularInline[Instrument, Table]):
    model = Instrument
    extra = 0


@admin.register(Table)
class TableAdmin(admin.ModelAdmin[Table]):
    list_display = ["name", "region", "province", "launched_on", "is_demo"]
    list_filter = ["region", "is_demo"]
    search_fields = ["name", "slug", "province"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TerritoryInline, InstrumentInline]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin[Territory]):
    list_display = ["name", "table", "hectares", "sensitivity"]
    readonly_fields = ["hectares", "west", "south", "east", "north"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "acronym", "sector", "country", "is_demo"]
    list_filter = ["sector", "country", "is_demo"]
    search_fields = ["name", "acronym"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["full_name", "user", "visibility", "is_demo"]
    search_fields = ["full_name", "email"]
    raw_id_fields = ["user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["organization", "table", "person", "role", "seat", "since", "until"]
    list_filter = ["table", "role", "seat"]
    raw_id_fields = ["organization", "person"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["public_id", "membership", "email", "expires_at", "accepted_at"]
    readonly_fields = ["token"]
