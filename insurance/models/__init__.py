from insurance.models.enrollment import Enrollment
from insurance.models.importjob import ImportJob
from insurance.models.person import (
    PERSONAL_FIELDS,
    RETIRED_PSN_TYPES,
    Employer,
    FamilyLink,
    Person,
    SpecialStatus,
)
from insurance.models.plan import BenefitPlan
from insurance.models.region import Region, StaffProfile
from insurance.models.scheme import Scheme, SchemeYear

__all__ = [
    "PERSONAL_FIELDS",
    "RETIRED_PSN_TYPES",
    "BenefitPlan",
    "Employer",
    "Enrollment",
    "FamilyLink",
    "ImportJob",
    "Person",
    "Region",
    "Scheme",
    "SchemeYear",
    "SpecialStatus",
    "StaffProfile",
]
