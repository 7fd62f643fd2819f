from django.urls import path

from kefu.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("report/", views.visit_report, name="report"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("settings/", views.visit_settings, name="settings"),
    path("settings/rules/new/", views.rule_edit, name="rule_new"),
    path("settings/rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("settings/scripts/new/", views.script_edit, name="script_new"),
    path("settings/scripts/<int:pk>/", views.script_edit, name="script_edit"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/record/", views.visit_record, name="record"),
    path("<int:pk>/case/", views.visit_case, name="case"),
    path("<int:pk>/take/", views.visit_take, name="take"),
]
