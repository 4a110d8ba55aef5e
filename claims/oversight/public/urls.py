from django.urls import path

from claims.oversight.api import disclosure as api
from claims.oversight.public import views

app_name = "public"

urlpatterns = [
    path("", views.report_list, name="disclosure-list"),
    path("disclosure/<int:pk>/", views.report_detail, name="disclosure-detail"),
    path("disclosure/<int:pk>/pdf/", views.report_pdf, name="disclosure-pdf"),
    path("notice/<str:code>/", views.notice_detail, name="notice"),
    path("notice/<str:code>/pdf/", views.notice_pdf, name="notice-pdf"),
    path("api/disclosures/", api.DisclosureListView.as_view(), name="api-disclosures"),
    path("api/disclosures/<int:pk>/", api.DisclosureDetailView.as_view(), name="api-disclosure"),
    path(
        "api/disclosures/<int:pk>/csv/",
        api.DisclosureCsvView.as_view(),
        name="api-disclosure-csv",
    ),
]
