from django.urls import path

from claims.api.views import BatchDetailView, BatchErrorsView, BatchListCreateView

urlpatterns = [
    path("settlement-batches/", BatchListCreateView.as_view(), name="settlement-batches"),
    path("settlement-batches/<int:pk>/", BatchDetailView.as_view(), name="settlement-batch"),
    path(
        "settlement-batches/<int:pk>/errors/",
        BatchErrorsView.as_view(),
        name="settlement-batch-errors",
    ),
]

from claims.api.persons import PersonLookupView  # noqa: E402

urlpatterns.append(path("persons/<str:psn_no>/", PersonLookupView.as_view(), name="person-lookup"))
