"""The claims tests' city: a contract, its 2025 scheme year and three people enrolled."""

from tests.claims.conftest import covered_city  # noqa: F401
