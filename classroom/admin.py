from django.contrib import admin

from .models import Classroom, District, Enrollment, Membership, School

admin.site.register(District)
admin.site.register(School)
admin.site.register(Membership)
admin.site.register(Classroom)
admin.site.register(Enrollment)
