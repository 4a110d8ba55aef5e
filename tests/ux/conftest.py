from tests.claims.conftest import covered_city  # noqa: F401  (a contract and three people)
