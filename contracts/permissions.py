"""The permissions the contracts workflows and services ask for (`app_label.codename`). Roles
grant them (`audit.roles`); the models declare the custom ones."""

CHANGE_CONTRACT = "contracts.change_contract"  # every bureau move of a contract
APPROVE_DEDUCTION = "contracts.approve_bond_deduction"  # the checker of a bond deduction
PREPARE = "contracts.prepare_transfer"  # finance, the maker: funding, transfers, year-end
APPROVE = "contracts.approve_transfer"  # the director, the checker of the same
SCORE_EVALUATION = "contracts.score_evaluation"
APPROVE_EVALUATION = "contracts.approve_evaluation"
