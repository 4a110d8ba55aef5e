"""The oversight's models: satisfaction surveys (the evaluation is `contracts.Evaluation`, the
disclosure report `audit.DisclosureReport`)."""

from claims.oversight.models.survey import SatisfactionSurvey

__all__ = [
    "SatisfactionSurvey",
]
