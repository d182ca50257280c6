"""Counselor start page; the report channel is built in its own issue."""

from django.shortcuts import render

from accounts import permissions


@permissions.role_required(permissions.is_counselor)
def counsel_home(request):
    return render(request, "incidents/counsel_home.html")
