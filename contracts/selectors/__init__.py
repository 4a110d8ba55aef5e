"""Reads of the contracts app (see `core`; row scopes are declared in `contracts/scopes.py`)."""

from contracts.selectors.core import *  # noqa: F403
from contracts.selectors.core import insurer_of  # noqa: F401
from contracts.selectors.evaluation import *  # noqa: F403
from contracts.selectors.funds import *  # noqa: F403
