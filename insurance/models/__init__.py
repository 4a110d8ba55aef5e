from insurance.models.enrollment import Enrollment
from insurance.models.importjob import ImportJob
from insurance.models.person import PERSONAL_FIELDS, Employer, FamilyLink, Person, SpecialStatus
from insurance.models.region import Region, StaffProfile
from insurance.models.scheme import Scheme, SchemeYear

__all__ = [
    "PERSONAL_FIELDS",
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
