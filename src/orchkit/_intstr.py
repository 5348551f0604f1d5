"""Kubernetes ``IntOrString`` values: ``3`` or ``"25%"``, as the rollout knobs take them.

Two layers, as upstream has two:

- `scaled_value` is apimachinery's ``GetScaledValueFromIntOrPercent``: what the controllers
  compute. An int is returned as is; a string must end in ``%`` and the rest must be what Go's
  ``strconv.Atoi`` accepts (an optional sign and ASCII digits), so ``"5"`` and ``"10.5%"`` are
  errors, ``"+10%"`` is 10 and ``"-10%"`` is -10.
- `check_int_or_percent` is the API server's validation of a field: an int must be
  non-negative and a string must match ``^[0-9]+%$`` (``"-10%"`` and ``"+10%"`` are rejected there).

Everything here is private; `orchkit.rollout` documents and re-exports the public names.
"""

from __future__ import annotations

import re
from typing import Final, TypeAlias

from orchkit.errors import InvalidValueError

#: An int or a percent string, as Kubernetes' ``intstr.IntOrString``: ``3`` or ``"25%"``.
IntOrPercent: TypeAlias = int | str

#: The largest value of a Kubernetes int32 field (``math.MaxInt32``).
MAX_INT32: Final = 2**31 - 1

# Go's strconv.Atoi in base 10: an optional sign, then ASCII digits; nothing else.
_ATOI: Final = re.compile(r"[+-]?[0-9]+")
# The API server's percent pattern (validation.IsValidPercent).
_PERCENT: Final = re.compile(r"[0-9]+%")
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1

_VALID_PERCENT: Final = (
    "a valid percent string must be a numeric string followed by an ending '%' "
    "(e.g. '1%' or '93%'; regex used for validation is '[0-9]+%')"
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def percent_number(value: str, field: str) -> int:
    """The number in a percent string, as upstream's ``getIntOrPercentValueSafely`` reads it."""
    if not value.endswith("%"):
        raise InvalidValueError(field, value, "invalid type: string is not a percentage")
    body = value[:-1]
    if _ATOI.fullmatch(body) is None:
        raise InvalidValueError(field, value, "invalid value: the part before '%' is not an int")
    number = int(body)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise InvalidValueError(field, value, "invalid value: value out of range")
    return number


def scaled_value(
    value: int | str | None, total: int, *, round_up: bool, field: str = "value"
) -> int:
    """Resolve an int-or-percent against ``total``: Kubernetes' ``GetScaledValueFromIntOrPercent``.

    An int is returned unchanged (not scaled, not capped). A percent string gives
    ``value * total / 100`` rounded up (``round_up=True``) or down, computed exactly.

    Parameters
    ----------
    value
        ``3``, ``"25%"``; ``None`` is upstream's nil pointer and an error.
    total
        What a percentage is a percentage of (the desired replicas).
    round_up
        Round a fractional result up (``maxSurge``) rather than down (``maxUnavailable``).
    field
        The name the error message gives the value.

    Returns
    -------
    int
        The resolved number.

    Raises
    ------
    InvalidValueError
        ``None``; a string that does not end in ``%`` (``"5"``); a percent whose number is not an
        int (``"10.5%"``, ``" 10%"``, ``"10%%"``); a value that is neither int nor string.

    Examples
    --------
    >>> scaled_value("25%", 10, round_up=True), scaled_value("25%", 10, round_up=False)
    (3, 2)
    >>> scaled_value(7, 10, round_up=False)
    7
    >>> scaled_value("+10%", 50, round_up=False)
    5
    >>> scaled_value("5", 10, round_up=True)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: value: invalid type: string is not a percentage (got '5')

    Notes
    -----
    Upstream computes in float64 (``math.Ceil(float64(v) * float64(total) / 100)``); the exact
    integer computation here gives the same result for every int32 input and never overflows.
    Runtime complexity: `O(1)` (the length of the string).

    References
    ----------
    .. [1] kubernetes/apimachinery ``pkg/util/intstr/intstr.go``,
       ``GetScaledValueFromIntOrPercent`` and ``getIntOrPercentValueSafely``.
    """
    if value is None:
        raise InvalidValueError(field, value, "nil value for IntOrString")
    if _is_int(value):
        return int(value)
    if not isinstance(value, str):
        raise InvalidValueError(field, value, "invalid type: neither int nor percentage")
    number = percent_number(value, field)
    if round_up:
        return -((-number * total) // 100)
    return (number * total) // 100


def check_int_or_percent(field: str, value: object, *, at_most_100: bool = False) -> None:
    """Validate a field as the API server does: int >= 0, or a string matching ``[0-9]+%``."""
    if _is_int(value):
        assert isinstance(value, int)
        if value < 0:
            raise InvalidValueError(field, value, "must be greater than or equal to 0")
        if value > MAX_INT32:
            raise InvalidValueError(field, value, f"must be at most {MAX_INT32} (an int32)")
        return
    if not isinstance(value, str):
        raise InvalidValueError(field, value, "must be an int or a percent string such as '25%'")
    if _PERCENT.fullmatch(value) is None:
        raise InvalidValueError(field, value, _VALID_PERCENT)
    number = int(value[:-1])
    if at_most_100 and number > 100:
        raise InvalidValueError(field, value, "must not be greater than 100%")
    if number > MAX_INT32:
        raise InvalidValueError(field, value, f"must be at most {MAX_INT32}%")


def is_zero(value: object) -> bool:
    """True for ``0`` and ``"0%"`` (and ``"00%"``): the API server's raw both-zero test."""
    if _is_int(value):
        return value == 0
    return isinstance(value, str) and _PERCENT.fullmatch(value) is not None and int(value[:-1]) == 0


def check_count(field: str, value: object, *, minimum: int = 0, maximum: int = MAX_INT32) -> int:
    """Validate an int field (replicas, seconds): an int, not a bool, within bounds."""
    if not _is_int(value):
        raise InvalidValueError(field, value, "must be an int")
    assert isinstance(value, int)
    if value < minimum:
        what = "non-negative" if minimum == 0 else f"at least {minimum}"
        raise InvalidValueError(field, value, f"must be {what}")
    if value > maximum:
        raise InvalidValueError(field, value, f"must be at most {maximum}")
    return value
