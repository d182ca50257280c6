from django.urls import path, re_path

from . import views

CODE = r"(?P<code>[0-9]{6})"

urlpatterns = [
    path("live/", views.join, name="live_join"),
    path("live/new/", views.session_new, name="live_session_new"),
    path("live/session/<int:pk>/", views.presenter, name="live_presenter"),
    path("live/session/<int:pk>/screen/", views.projector, name="live_projector"),
    path("live/session/<int:pk>/state/", views.teacher_state, name="live_teacher_state"),
    path("live/session/<int:pk>/control/", views.control, name="live_control"),
    path("live/session/<int:pk>/summary/", views.summary, name="live_summary"),
    re_path(rf"^live/{CODE}/$", views.pupil, name="live_pupil"),
    re_path(rf"^live/{CODE}/state/$", views.pupil_state, name="live_pupil_state"),
    re_path(rf"^live/{CODE}/send/$", views.pupil_send, name="live_pupil_send"),
]
