from django.contrib import admin

from .models import Assignment, Classroom, Enrollment, Notice

admin.site.register(Classroom)
admin.site.register(Enrollment)
admin.site.register(Assignment)
admin.site.register(Notice)
