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
