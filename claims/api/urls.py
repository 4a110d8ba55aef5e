from django.urls import path

from claims.settlements.api.changes import ChangesView
from claims.settlements.api.views import BatchDetailView, BatchErrorsView, BatchListCreateView
from claims.supervision.api import insurer

urlpatterns = [
    path("settlement-batches/", BatchListCreateView.as_view(), name="settlement-batches"),
    path("settlement-batches/<int:pk>/", BatchDetailView.as_view(), name="settlement-batch"),
    path(
        "settlement-batches/<int:pk>/errors/",
        BatchErrorsView.as_view(),
        name="settlement-batch-errors",
    ),
    path("compensations/", insurer.CompensationListView.as_view(), name="compensations"),
    path("compensations/<int:pk>/", insurer.CompensationDetailView.as_view(), name="compensation"),
    path(
        "reconciliation-results/",
        insurer.ReconciliationListView.as_view(),
        name="reconciliation-results",
    ),
    path("statements/", insurer.StatementListView.as_view(), name="statements"),
    path("statements/<int:pk>/", insurer.StatementDetailView.as_view(), name="statement"),
    path("adjustments/", insurer.AdjustmentListView.as_view(), name="adjustments"),
    path("adjustments/<int:pk>/", insurer.AdjustmentDetailView.as_view(), name="adjustment"),
    path(
        "adjustments/<int:pk>/answer/",
        insurer.AdjustmentAnswerView.as_view(),
        name="adjustment-answer",
    ),
    path("complaints/", insurer.ComplaintListView.as_view(), name="complaints"),
    path("complaints/<int:pk>/", insurer.ComplaintDetailView.as_view(), name="complaint"),
    path(
        "complaints/<int:pk>/answer/",
        insurer.ComplaintAnswerView.as_view(),
        name="complaint-answer",
    ),
    path("manual-claims/", insurer.ManualClaimListView.as_view(), name="manual-claims"),
    path("manual-claims/<int:pk>/", insurer.ManualClaimDetailView.as_view(), name="manual-claim"),
    path(
        "manual-claims/<int:pk>/moves/",
        insurer.ManualClaimMoveView.as_view(),
        name="manual-claim-move",
    ),
    path("changes/", ChangesView.as_view(), name="changes"),
]
