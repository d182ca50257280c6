"""The report channel (public) and the counselors' tools (staff).

Included inside i18n_patterns: Korean at /report/…, English at /en/report/…."""

from django.urls import path

from . import key_views, staff_views, unlock_views, views

urlpatterns = [
    # Reporter: no account. The fixed paths come before /report/<code>/.
    path("report/", views.school_search, name="report_search"),
    path("report/receipt/", views.report_receipt, name="report_receipt"),
    path("report/receipt/shown/", views.report_receipt_shown, name="report_receipt_shown"),
    path("report/next-steps/", views.report_next_steps, name="report_next_steps"),
    path("report/follow-up/", views.followup_start, name="followup_start"),
    path("report/follow-up/case/", views.followup_case, name="followup_case"),
    path("report/follow-up/reply/", views.followup_reply, name="followup_reply"),
    path("report/follow-up/add/", views.followup_add_info, name="followup_add_info"),
    path("report/follow-up/leave/", views.followup_leave, name="followup_leave"),
    path("report/<str:code>/", views.report_start, name="report_start"),
    path("report/<str:code>/new/", views.report_new, name="report_new"),
    # Counselors and district safety officers.
    path("counsel/", staff_views.counsel_home, name="counsel_home"),
    path("counsel/reports/<int:pk>/", staff_views.case_detail, name="counsel_case"),
    path("counsel/reports/<int:pk>/print/", staff_views.case_print, name="counsel_case_print"),
    path("counsel/reports/<int:pk>/status/", staff_views.case_status, name="counsel_case_status"),
    path("counsel/reports/<int:pk>/assign/", staff_views.case_assign, name="counsel_case_assign"),
    path("counsel/reports/<int:pk>/message/", staff_views.case_message, name="counsel_case_message"),
    path("counsel/reports/<int:pk>/note/", staff_views.case_note, name="counsel_case_note"),
    path("counsel/keys/", key_views.counsel_keys, name="counsel_keys"),
    path("counsel/keys/grant/", key_views.counsel_keys_grant, name="counsel_keys_grant"),
    path("counsel/keys/unlock/", unlock_views.counsel_keys_unlock, name="counsel_keys_unlock"),
    path("counsel/reports/<int:pk>/referral/", staff_views.case_referral, name="counsel_case_referral"),
    path("counsel/reports/<int:pk>/close/", staff_views.case_close, name="counsel_case_close"),
    path("counsel/reports/<int:pk>/tags/", staff_views.case_tags, name="counsel_case_tags"),
    path("counsel/school/<str:code>/tools/", staff_views.counsel_tools, name="counsel_tools"),
    path("counsel/school/<str:code>/templates/new/", staff_views.counsel_template_new, name="counsel_template_new"),
    path(
        "counsel/school/<str:code>/templates/<int:template_pk>/",
        staff_views.counsel_template_edit,
        name="counsel_template_edit",
    ),
    path(
        "counsel/school/<str:code>/templates/<int:template_pk>/delete/",
        staff_views.counsel_template_delete,
        name="counsel_template_delete",
    ),
    path("counsel/school/<str:code>/tags/new/", staff_views.counsel_tag_new, name="counsel_tag_new"),
    path(
        "counsel/school/<str:code>/tags/<int:tag_pk>/delete/", staff_views.counsel_tag_delete, name="counsel_tag_delete"
    ),
    path("counsel/notifications/", staff_views.counsel_push, name="counsel_push"),
    path("counsel/notifications/subscribe/", staff_views.counsel_push_subscribe, name="counsel_push_subscribe"),
    path("counsel/notifications/unsubscribe/", staff_views.counsel_push_unsubscribe, name="counsel_push_unsubscribe"),
    # School admins and safety officers: no content, only overviews.
    path("school/<str:code>/reports/stats/", staff_views.school_report_stats, name="school_report_stats"),
    path("school/<str:code>/reports/poster/", staff_views.school_report_poster, name="school_report_poster"),
    path("school/<str:code>/reports/audit/", staff_views.school_report_audit, name="school_report_audit"),
    path("school/<str:code>/reports/recovery/", key_views.school_recovery, name="school_report_recovery"),
    path("district/<str:code>/reports/recovery/", key_views.district_recovery, name="district_report_recovery"),
    path("district/<str:code>/reports/stats/", staff_views.district_report_stats, name="district_report_stats"),
    path("district/<str:code>/reports/audit/", staff_views.district_report_audit, name="district_report_audit"),
]
