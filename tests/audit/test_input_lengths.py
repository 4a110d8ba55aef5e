"""Review of issue 19, point 9: over-long sign-in input is a form error, not a 500."""

import pytest
from axes.models import AccessAttempt


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password"), [("u" * 400, "x"), ("u" * 151, "x"), ("clerk", "p" * 5000)]
)
def test_an_over_long_sign_in_is_a_form_error(client, role_user, username, password):
    role_user("operator", username="clerk")
    response = client.post("/admin/login/", {"username": username, "password": password})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors and not response.wsgi_request.user.is_authenticated
    assert not AccessAttempt.objects.filter(username=username).exists()


@pytest.mark.django_db
def test_a_name_of_the_longest_allowed_length_still_signs_in(client, django_user_model):
    name = "n" * 150
    django_user_model.objects.create_user(name, password="pw-for-tests-1", is_staff=True)
    response = client.post("/admin/login/", {"username": name, "password": "pw-for-tests-1"})
    assert response.status_code == 302
