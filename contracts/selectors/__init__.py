"""Reads of the contracts app (see `core` for the scoping rule every `*_for_user` follows)."""

from contracts.selectors.core import *  # noqa: F403
from contracts.selectors.core import _ALL, _by_contract, _by_insurer, _contract_q, _scope  # noqa: F401
from contracts.selectors.evaluation import *  # noqa: F403
from contracts.selectors.funds import *  # noqa: F403
