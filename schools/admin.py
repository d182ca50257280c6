from django.contrib import admin

from .models import District, EndedMembership, Membership, School

admin.site.register(District)
admin.site.register(School)
admin.site.register(Membership)
admin.site.register(EndedMembership)
