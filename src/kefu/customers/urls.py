from django.urls import path

from kefu.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("export.xlsx", views.customer_export, name="export"),
    path("import/", views.customer_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/grade/", views.customer_override_grade, name="override_grade"),
    path("<int:pk>/active/", views.customer_set_active, name="set_active"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("changes/", views.change_requests, name="changes"),
    path("changes/<int:pk>/", views.change_request_detail, name="change_request"),
    path("grade-rules/", views.grade_rules, name="grade_rules"),
    path("grade-rules/<int:pk>/", views.grade_rules, name="grade_rule_edit"),
    path("access-log/", views.access_log, name="access_log"),
]
