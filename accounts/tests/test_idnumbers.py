import pytest
from django.core.exceptions import ValidationError

from accounts.idnumbers import id_check_digit, id_number_mask, id_number_validate


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4")],
)
def test_check_digit_follows_gb11643(first17, check):
    assert id_check_digit(first17) == check


def test_valid_number_is_normalised():
    assert id_number_validate(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_check_digit"),
        ("11010519491231002", "id_shape"),
        ("1101051949123100AX", "id_shape"),
        ("110105194902300023", "id_date"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(number, code):
    with pytest.raises(ValidationError) as exc:
        id_number_validate(number)
    assert exc.value.code == code


def test_mask_keeps_only_first_and_last():
    assert id_number_mask("11010519491231002X") == "1****************X"
