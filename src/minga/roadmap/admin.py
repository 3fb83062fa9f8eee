from django.contrib import admin

from minga.roadmap.models import Axis, Indicator, Measurement, Milestone, Objective, Result

admin.site.register([Axis, Objective, Indicator, Measurement, Result, Milestone])
