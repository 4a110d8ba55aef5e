import base64

import pytest
from django.core.management import call_command
from django.db import connection

from audit import crypto
from audit.choices import AuditAction
from audit.masking import mask_certno, mask_name, mask_phone
from audit.models import AuditEntry
from insurance.models import Person

from .factories import PersonFactory, make_certno

KEY1 = "1:" + base64.b64encode(b"k" * 32).decode()
KEY2 = "2:" + base64.b64encode(b"n" * 32).decode()


def _raw(person, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM insurance_person WHERE id = %s", [person.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_encrypt_round_trip_names_its_key_and_is_randomised(settings):
    settings.MEDSUPP_DATA_KEYS = [KEY1]
    token = crypto.encrypt("110101199003074514")
    assert token.startswith("enc:1:")
    assert crypto.decrypt(token) == "110101199003074514"
    assert crypto.encrypt("110101199003074514") != token  # fresh nonce every time


def test_tampered_value_or_unknown_key_does_not_decrypt(settings):
    settings.MEDSUPP_DATA_KEYS = [KEY1]
    token = crypto.encrypt("张三")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)
    settings.MEDSUPP_DATA_KEYS = [KEY2]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


@pytest.mark.django_db
def test_personal_fields_are_ciphertext_in_the_database(settings):
    settings.MEDSUPP_DATA_KEYS = [KEY1]
    person = PersonFactory(name="欧阳娜娜", phone="13900001111")
    assert _raw(person, "name").startswith("enc:1:")
    assert "欧阳" not in _raw(person, "name")
    assert person.certno not in _raw(person, "certno")
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.name, fresh.phone, fresh.certno) == ("欧阳娜娜", "13900001111", person.certno)


@pytest.mark.django_db
def test_key_rotation_reencrypts_everything_and_is_idempotent(settings):
    settings.MEDSUPP_DATA_KEYS = [KEY1]
    people = [PersonFactory(name=f"李{i}") for i in range(3)]
    settings.MEDSUPP_DATA_KEYS = [KEY2, KEY1]
    # old values still decrypt with the new key list
    assert Person.objects.get(pk=people[0].pk).name == "李0"
    newer = PersonFactory(name="王五")  # written with key 2 already
    newer_before = _raw(newer, "name")
    call_command("rotate_data_keys", chunk=2)
    for person in [*people, newer]:
        for column in ("certno", "name", "phone"):
            assert crypto.key_version(_raw(person, column)) == "2"
    assert _raw(newer, "name") == newer_before  # current values are left alone
    settings.MEDSUPP_DATA_KEYS = [KEY2]  # old key retired: everything still reads
    assert [Person.objects.get(pk=p.pk).name for p in people] == ["李0", "李1", "李2"]
    entry = AuditEntry.objects.filter(action=AuditAction.KEY_ROTATION).get()
    assert entry.extra["rows"]["insurance.person"] == 3
    call_command("rotate_data_keys")
    assert AuditEntry.objects.filter(action=AuditAction.KEY_ROTATION).count() == 2
    assert (
        AuditEntry.objects.filter(action=AuditAction.KEY_ROTATION)
        .first()
        .extra["rows"]["insurance.person"]
        == 0
    )


@pytest.mark.django_db
def test_blind_index_finds_by_normalised_id_number():
    certno = make_certno()[:17] + "X"
    person = PersonFactory(certno=certno)
    PersonFactory()
    assert person.certno_bidx == crypto.blind_index(certno)
    lowered = " " + certno.lower() + " "
    assert list(Person.objects.filter(certno_bidx=crypto.blind_index(lowered))) == [person]
    assert not Person.objects.filter(certno_bidx=crypto.blind_index(make_certno())).exists()


def test_blind_index_depends_on_the_key(settings):
    first = crypto.blind_index("110101199003074514")
    settings.MEDSUPP_BLIND_INDEX_KEY = base64.b64encode(b"another-index-key-123").decode()
    assert crypto.blind_index("110101199003074514") != first


@pytest.mark.parametrize(
    ("func", "value", "expected"),
    [
        (mask_certno, "110101199003074514", "110***********4514"),
        (mask_certno, "", ""),
        (mask_name, "张三", "张*"),
        (mask_name, "张", "张*"),
        (mask_name, "欧阳娜娜", "欧阳**"),
        (mask_name, "王小明", "王**"),
        (mask_phone, "13812345678", "138****5678"),
    ],
)
def test_masking(func, value, expected):
    assert func(value) == expected
