from django.urls import path

from minga.meetings import views

urlpatterns = [
    path("t/<slug:slug>/meetings/", views.meetings, name="meetings"),
    path("t/<slug:slug>/meetings.ics", views.feed, name="meetings-feed"),
    path("t/<slug:slug>/meetings/new/", views.new_meeting, name="meeting-new"),
    path("t/<slug:slug>/meetings/<str:public_id>/", views.meeting, name="meeting"),
    path(
        "t/<slug:slug>/meetings/<str:public_id>/meeting.ics", views.meeting_ics, name="meeting-ics"
    ),
    path("t/<slug:slug>/meetings/<str:public_id>/agenda/", views.agenda_add, name="agenda-add"),
    path(
        "t/<slug:slug>/meetings/<str:public_id>/agenda/<int:position>/move/",
        views.agenda_move,
        name="agenda-move",
    ),
    path("t/<slug:slug>/meetings/<str:public_id>/convene/", views.convene, name="meeting-convene"),
    path("t/<slug:slug>/meetings/<str:public_id>/change/", views.change, name="meeting-change"),
    path("t/<slug:slug>/meetings/<str:public_id>/cancel/", views.cancel, name="meeting-cancel"),
    path("t/<slug:slug>/meetings/<str:public_id>/sheet/", views.sheet, name="meeting-sheet"),
    path(
        "t/<slug:slug>/meetings/<str:public_id>/attendance/",
        views.attendance,
        name="meeting-attendance",
    ),
    path("t/<slug:slug>/meetings/<str:public_id>/minutes/", views.minutes, name="meeting-minutes"),
    path("t/<slug:slug>/meetings/<str:public_id>/publish/", views.publish, name="meeting-publish"),
    path("t/<slug:slug>/meetings/<str:public_id>/report/", views.report, name="meeting-report"),
    path(
        "t/<slug:slug>/meetings/<str:public_id>/report.pdf",
        views.report_pdf,
        name="meeting-report-pdf",
    ),
    path("t/<slug:slug>/agenda/", views.joint_agenda, name="joint-agenda"),
    path("t/<slug:slug>/agenda/priorities/new/", views.new_priority, name="priority-new"),
    path(
        "t/<slug:slug>/agenda/priorities/<str:public_id>/select/",
        views.select,
        name="priority-select",
    ),
    path("t/<slug:slug>/agenda/rankings/new/", views.new_ranking, name="ranking-new"),
    path("t/<slug:slug>/agenda/rankings/<str:public_id>/", views.ranking_round, name="ranking"),
    path(
        "t/<slug:slug>/agenda/rankings/<str:public_id>/ballot/", views.ballot, name="ranking-ballot"
    ),
    path(
        "t/<slug:slug>/agenda/rankings/<str:public_id>/close/",
        views.close_ranking,
        name="ranking-close",
    ),
]
