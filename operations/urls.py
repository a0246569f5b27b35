from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("jfos/", views.JfoListView.as_view(), name="jfo-list"),
    path("jfos/<int:pk>/", views.JfoDetailView.as_view(), name="jfo-detail"),
    path("jfos/<int:pk>/change/", views.UnitChangeView.as_view(), name="jfo-change"),
    path("jfos/<int:jfo_pk>/assignments/new/", views.AssignmentFormView.as_view(), name="assignment-add-to-unit"),
    path("officers/", views.OfficerListView.as_view(), name="officer-list"),
    path("officers/<int:pk>/", views.OfficerDetailView.as_view(), name="officer-detail"),
    path("officers/<int:pk>/change/", views.OfficerChangeView.as_view(), name="officer-change"),
    path("officers/<int:officer_pk>/assignments/new/", views.AssignmentFormView.as_view(), name="assignment-add-to-officer"),
    path("assignments/<int:assignment_pk>/change/", views.AssignmentChangeView.as_view(), name="assignment-edit"),
    path("assignments/<int:assignment_pk>/correct/", views.AssignmentCorrectView.as_view(), name="assignment-correct"),
    path("assignments/<int:assignment_pk>/end/", views.AssignmentEndView.as_view(), name="assignment-end"),
    path("reports/resources/", views.ResourcesReportPage.as_view(), name="report-resources"),
    path("reports/tenure/", views.TenureReportPage.as_view(), name="report-tenure"),
    path("reports/allocation/", views.AllocationReportPage.as_view(), name="report-allocation"),
]
