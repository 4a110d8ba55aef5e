from django.urls import path

from contracts.api.persons import PersonLookupView
from contracts.api.views import ContractDetailView, ContractListView

urlpatterns = [
    path("contracts/", ContractListView.as_view(), name="contracts"),
    path("contracts/<int:pk>/", ContractDetailView.as_view(), name="contract"),
    path("persons/<str:psn_no>/", PersonLookupView.as_view(), name="person-lookup"),
]
