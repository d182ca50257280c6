"""Socket routes of the live class (docs/live.md)."""

from django.urls import re_path

from . import consumers

websocket_urlpatterns = [
    re_path(r"^ws/live/(?P<code>[0-9]{6})/$", consumers.PupilConsumer.as_asgi()),
    re_path(r"^ws/live/session/(?P<pk>[0-9]+)/(?P<view>present|screen)/$", consumers.TeacherConsumer.as_asgi()),
]
