"""The permissions the claims workflows and services ask for (`app_label.codename`). Roles grant
them (`audit.roles`); the models declare the custom ones. The disclosure report is an audit model
whose workflow and services live in claims."""

SUBMIT_STATEMENT = "claims.add_claimstatement"
REVIEW_STATEMENT = "claims.review_claimstatement"
APPROVE_STATEMENT = "claims.approve_claimstatement"
SETTLE_ADJUSTMENT = "claims.change_statementadjustment"
ANSWER_ADJUSTMENT = "claims.answer_statementadjustment"
HANDLE_MANUAL_CLAIM = "claims.change_manualclaim"
REVIEW_FRAUD_FLAG = "claims.change_fraudflag"
HANDLE_COMPLAINT = "claims.change_complaint"
ANSWER_COMPLAINT = "claims.answer_complaint"
DECIDE_COMPLAINT = "claims.decide_complaint"
DRAFT_DISCLOSURE = "audit.add_disclosurereport"
CHECK_DISCLOSURE = "audit.check_disclosurereport"
PUBLISH_DISCLOSURE = "audit.publish_disclosure"
