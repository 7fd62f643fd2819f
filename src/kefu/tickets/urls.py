from django.urls import path

from kefu.tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.case_queue, name="queue"),
    path("new/", views.case_create, name="create"),
    path("reports/", views.case_reports, name="reports"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("settings/", views.case_settings, name="settings"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/files/", views.case_attach, name="attach"),
    path("<int:pk>/files/<int:attachment_pk>/", views.case_attachment, name="attachment"),
    path("<int:pk>/solutions/<int:solution_pk>/approve/", views.solution_approve, name="approve"),
    path("<int:pk>/<slug:step>/", views.case_step, name="step"),
]
