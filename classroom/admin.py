from django.contrib import admin

from .models import Assignment, Classroom, District, EndedMembership, Enrollment, Membership, Notice, School

admin.site.register(District)
admin.site.register(School)
admin.site.register(Membership)
admin.site.register(Classroom)
admin.site.register(Enrollment)
admin.site.register(Assignment)
admin.site.register(Notice)
admin.site.register(EndedMembership)
