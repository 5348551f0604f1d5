"""The engine behind `orchkit.resources.Quantity`.

A quantity's value is held exactly as ``mantissa * 10**exponent`` with the mantissa's trailing zeros
moved into the exponent, so that equal values have equal fields (cheap ``==`` and ``hash``). Parsing
follows Kubernetes' scanner (``parseQuantityString`` and ``ParseQuantity`` in apimachinery's
``quantity.go``) rule by rule; printing follows ``CanonicalizeBytes``. Everything here is private;
the public surface and its documentation live in `orchkit.resources`.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from fractions import Fraction
from typing import Final, cast

import attrs

from orchkit.errors import InvalidValueError, QuantityError

#: Written exponents (``1e<x>``) and constructor scales must satisfy ``|x| <= MAX_EXPONENT``.
MAX_EXPONENT: Final = 1000
#: Every value must satisfy ``|v| < 10**MAX_MAGNITUDE``.
MAX_MAGNITUDE: Final = 2000
#: A number with a binary suffix (``Ki`` .. ``Ei``) may have at most this many significant digits.
MAX_BINARY_DIGITS: Final = 1000

_NANO: Final = -9
_BINARY_CAP: Final = 2**63 - 1
_LOG10_2: Final = 0.30102999566398120


class Format(str, enum.Enum):
    """How a quantity prints: Kubernetes' ``resource.Format``.

    The format is a property of the quantity separate from its value: it changes only
    `str`, never comparisons.

    Examples
    --------
    >>> from orchkit.resources import Quantity
    >>> Quantity("1Gi").format
    <Format.BINARY_SI: 'BinarySI'>
    >>> Quantity("1e3").format.value
    'DecimalExponent'
    """

    #: Powers of 1024: ``Ki``, ``Mi``, ``Gi``, ``Ti``, ``Pi``, ``Ei``.
    BINARY_SI = "BinarySI"
    #: Powers of 1000: ``n``, ``u``, ``m``, (none), ``k``, ``M``, ``G``, ``T``, ``P``, ``E``.
    DECIMAL_SI = "DecimalSI"
    #: An exponent that is a multiple of 3: ``1e3``, ``100e-9``.
    DECIMAL_EXPONENT = "DecimalExponent"

    def __repr__(self) -> str:
        return f"<Format.{self.name}: {self.value!r}>"


_BIN = Format.BINARY_SI
_DEC = Format.DECIMAL_SI
_EXP = Format.DECIMAL_EXPONENT

_DECIMAL_SUFFIXES: Final = {
    "": 0,
    "n": -9,
    "u": -6,
    "m": -3,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT: Final = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_POWER: Final = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

# Kubernetes' scanner, as a regular expression: sign, leading zeros, integer digits, an optional
# fraction, a run of suffix letters, and an optional signed digit run (the exponent). Anything else
# is ErrFormatWrong. ASCII digits only: [0-9], never \d.
_SCANNER: Final = re.compile(
    r"([+-]?)0*([0-9]*)(?:(\.)([0-9]*))?([eEinumkKMGTP]*)([+-]?[0-9]*)",
)
_EXPONENT_DIGITS: Final = re.compile(r"[+-]?[0-9]+")

_FORMAT_MESSAGE: Final = "does not match the quantity grammar <sign><digits>.<digits><suffix>"


def _as_format(value: object) -> Format:
    """Validate a ``format`` argument: a `Format` or its value (``"BinarySI"``)."""
    try:
        return Format(value)
    except ValueError:
        choices = ", ".join(repr(f.value) for f in Format)
        raise InvalidValueError("format", value, f"must be one of {choices}") from None


def _format_error(text: object) -> QuantityError:
    return QuantityError("format", text, _FORMAT_MESSAGE)


def _range_error(text: object, reason: str) -> QuantityError:
    return QuantityError("range", text, reason)


def _normalize(m: int, e: int) -> tuple[int, int]:
    """Move the trailing zeros of ``m`` into ``e``; zero becomes ``(0, 0)``."""
    if not m:
        return 0, 0
    if m % 10:
        return m, e
    s = str(m)
    stripped = s.rstrip("0")
    return int(stripped), e + len(s) - len(stripped)


def _to_fields(m: int, e: int) -> tuple[int, int]:
    """The stored fields ``(n, s)`` of the value ``m * 10**e``.

    The value is ``n * 10**s`` with ``s == -9`` whenever it is a multiple of one nano (always, for
    parsed values), else the largest ``s < -9`` that keeps ``n`` an integer. Equal values therefore
    have equal fields, which makes ``==`` and ``hash`` plain integer operations.
    """
    if e >= _NANO:
        return m * _POW10[e - _NANO] if e - _NANO < _POW10_LEN else m * 10 ** (e - _NANO), _NANO
    m, e = _normalize(m, e)
    if e >= _NANO:
        return m * 10 ** (e - _NANO), _NANO
    return m, e


def _too_big(n: int, s: int) -> bool:
    """True when ``|n * 10**s| >= 10**MAX_MAGNITUDE``."""
    if not n:
        return False
    approx = (abs(n).bit_length() - 1) * _LOG10_2 + s
    if approx < MAX_MAGNITUDE - 2:
        return False
    if approx > MAX_MAGNITUDE + 2:
        return True
    limit: int = 10 ** (MAX_MAGNITUDE - s)
    return abs(n) >= limit


def _checked(m: int, e: int, what: object) -> tuple[int, int]:
    """``_to_fields(m, e)``, or a range error when the magnitude is beyond the bound."""
    n, s = _to_fields(m, e)
    if _too_big(n, s):
        msg = f"magnitude reaches 10**{MAX_MAGNITUDE}, beyond what orchkit represents"
        raise _range_error(what, msg)
    return n, s


_POW10: Final = tuple(10**i for i in range(128))
_POW10_LEN: Final = len(_POW10)
_BINARY_CAP_NANO: Final = _BINARY_CAP * 10**9
# Nanos per unit of each suffix, for the fast path.
_DECIMAL_MULTIPLIER: Final = {s: 10 ** (e + 9) for s, e in _DECIMAL_SUFFIXES.items() if s}
_BINARY_MULTIPLIER: Final = {s: 10**9 << p for s, p in _BINARY_SUFFIXES.items()}


def _parse(text: str) -> tuple[int, int, Format]:
    """Parse ``text`` as Kubernetes' ``ParseQuantity``; return the fields ``(nanos, -9, format)``.

    A fast path built from C-level string methods handles the shapes real manifests and tools
    use (up to 20 ASCII characters: digits with an optional sign and fraction, then an SI suffix
    or an exponent of at most two digits); everything else, including every error, goes through
    `_parse_slow`, which follows Kubernetes' scanner rule by rule. The two agree on the fast
    path's domain (a property test holds them to it).
    """
    if not text.isascii() or len(text) > 20:
        return _parse_slow(text)
    # From here on the text is short ASCII: int() of any digit run in it is cheap and exact.
    if text.isdigit():  # "12345": the most common shape
        return int(text) * 1_000_000_000, -9, _DEC
    try:
        last = text[-1]
    except IndexError:
        return _parse_slow(text)  # the empty string
    multiplier = _DECIMAL_MULTIPLIER.get(last)
    if multiplier is not None:  # "400m", "1.5G"
        body = text[:-1]
        if body.isdigit():
            return int(body) * multiplier, -9, _DEC
        fmt = _DEC
    elif last == "i":  # "512Mi", "1.5Gi"
        multiplier = _BINARY_MULTIPLIER.get(text[-2:])
        if multiplier is None:
            return _parse_slow(text)
        body = text[:-2]
        if body.isdigit():
            n = int(body) * multiplier
            return (n if n <= _BINARY_CAP_NANO else _BINARY_CAP_NANO), -9, _BIN
        fmt = _BIN
    elif "e" in text or "E" in text:  # "1e3", "2.5e-3"
        body, _, tail = text.partition("e") if "e" in text else text.partition("E")
        digits = tail.lstrip("+-")
        if not (len(tail) - len(digits) <= 1 and len(digits) <= 2 and digits.isdigit()):
            return _parse_slow(text)
        exponent = int(tail) + 9
        if exponent < 0:
            return _parse_slow(text)  # finer than nano: needs rounding
        fmt = _EXP
        multiplier = _POW10[exponent]
    else:  # "1.5", "-5"
        body = text
        fmt = _DEC
        multiplier = 1_000_000_000
    # `body` is a number that is not plain digits: a sign and/or a fraction.
    negative = False
    if body and body[0] in "+-":
        negative = body[0] == "-"
        body = body[1:]
    whole, _, frac = body.partition(".")
    digits = whole + frac
    if not digits.isdigit():
        return _parse_slow(text)
    n, rest = divmod(int(digits) * multiplier, _POW10[len(frac)])
    if fmt is _BIN:
        if rest:
            n += 1  # round up to the next nano, away from zero
        if n > _BINARY_CAP_NANO:
            n = _BINARY_CAP_NANO
        elif n < 1_000_000_000 and n:
            fmt = _DEC  # Kubernetes switches binary values between 0 and 1 to DecimalSI
    elif rest:
        return _parse_slow(text)  # finer than nano: needs rounding
    return (-n if negative else n), -9, fmt


def _parse_slow(text: str) -> tuple[int, int, Format]:
    """The general parse: signs, exponents, rounding below nano, binary fractions, errors."""
    match = _SCANNER.fullmatch(text)
    if match is None or not text:
        raise _format_error(text)
    sign, whole, _, frac, letters, exp_digits = match.groups()
    suffix = letters + exp_digits if exp_digits else letters

    # Suffix lookup: decimal SI, binary SI, then e<int> / E<int>.
    fmt = _DEC
    exponent = _DECIMAL_SUFFIXES.get(suffix)
    binary_power = 0
    if exponent is None:
        power = _BINARY_SUFFIXES.get(suffix)
        if power is not None:
            fmt, exponent, binary_power = _BIN, 0, power
        elif letters in ("e", "E") and exp_digits and _EXPONENT_DIGITS.fullmatch(exp_digits):
            fmt = _EXP
            exponent = _parse_exponent(text, exp_digits)
        else:
            reason = f"unknown suffix {suffix!r}"
            raise QuantityError("suffix", text, reason)

    frac = frac or ""
    digits = whole + frac
    if not digits:
        # Digit-less numbers ("+", ".", "Ki", "e3") are zero, except on the paths where Kubernetes
        # hands the number text to its big-decimal parser, which needs a digit: a decimal exponent
        # below nano, or a Pi / Ei suffix. A leading zero counts as a digit ("0Pi" is zero).
        has_zero = text[len(sign) : len(sign) + 1] == "0"
        if not has_zero and (exponent < _NANO or binary_power >= 50):
            raise QuantityError("numeric", text, "the number has no digits")
        return 0, -9, fmt
    # value = digits * 10**scale; strip the zeros that do not change it.
    scale = exponent - len(frac)
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    digits = stripped.lstrip("0")
    if not digits:
        return 0, -9, fmt
    negative = sign == "-"

    if binary_power:
        n, fmt = _binary_nanos(text, digits, scale, binary_power)
    elif len(digits) + scale > MAX_MAGNITUDE:
        msg = f"magnitude reaches 10**{MAX_MAGNITUDE}, beyond what orchkit represents"
        raise _range_error(text, msg)
    elif scale >= _NANO:
        n = int(digits) * 10 ** (scale - _NANO)
    else:
        # Finer than nano: round the magnitude up to the next multiple of 10**-9. `digits` ends in
        # a non-zero digit, so what is cut off is non-zero and the kept part always goes up by one.
        keep = len(digits) + scale - _NANO
        n = int(digits[:keep]) + 1 if keep > 0 else 1
    return (-n if negative else n), -9, fmt


def _parse_exponent(text: str, exp_digits: str) -> int:
    body = exp_digits.lstrip("+-").lstrip("0") or "0"
    if len(body) > 19 or int(body) > 2**63 - (0 if exp_digits[0] == "-" else 1):
        # Kubernetes' strconv.ParseInt fails: the exponent does not fit an int64.
        reason = "exponent does not fit a 64-bit integer"
        raise QuantityError("suffix", text, reason)
    value = -int(body) if exp_digits[0] == "-" else int(body)
    if abs(value) > MAX_EXPONENT:
        reason = f"exponent {value} is beyond orchkit's bound of +/-{MAX_EXPONENT}"
        raise _range_error(text, reason)
    return value


def _binary_nanos(text: str, digits: str, scale: int, power: int) -> tuple[int, Format]:
    """Nanos of ``digits * 10**scale * 2**power``: round up to nano, cap, below 1 → DecimalSI."""
    magnitude_digits = len(digits) + scale  # |v| < 10**magnitude_digits * 2**power
    if magnitude_digits > 20:
        return _BINARY_CAP_NANO, _BIN
    if magnitude_digits + 19 <= _NANO:
        return 1, _DEC  # far below one nano: rounds up to 1n
    if len(digits) > MAX_BINARY_DIGITS:
        reason = f"more than {MAX_BINARY_DIGITS} significant digits with a binary suffix"
        raise _range_error(text, reason)
    n = int(digits) << power
    if scale >= _NANO:
        n *= 10 ** (scale - _NANO)
    else:
        q, r = divmod(n, 10 ** (_NANO - scale))
        n = q + (1 if r else 0)
    n = min(n, _BINARY_CAP_NANO)
    # Kubernetes switches binary values between 0 and 1 (exclusive) to DecimalSI.
    return n, (_DEC if n < 1_000_000_000 else _BIN)


def _cmp_fields(n1: int, s1: int, n2: int, s2: int) -> int:
    """Compare ``n1 * 10**s1`` with ``n2 * 10**s2``: -1, 0 or 1."""
    if s1 != s2:
        if s1 > s2:
            n1 *= 10 ** (s1 - s2)
        else:
            n2 *= 10 ** (s2 - s1)
    return (n1 > n2) - (n1 < n2)


def _ceil_away(n: int, s: int, scale: int) -> int:
    """``n * 10**(s - scale)`` rounded away from zero to an integer."""
    shift = s - scale
    if shift >= 0:
        factor: int = 10**shift
        return n * factor
    divisor: int = _POW10[-shift] if -shift < _POW10_LEN else 10**-shift
    q, r = divmod(abs(n), divisor)
    if r:
        q += 1
    return -q if n < 0 else q


def _canonical(n: int, s: int, fmt: Format) -> str:
    """Print like Kubernetes' ``CanonicalizeBytes``, never dropping a suffix.

    Decimal exponents outside ``n``..``E`` print as ``<m>e<x>``; binary values beyond ``Ei``
    keep ``Ei``.
    """
    if not n:
        return "0"
    if fmt is _BIN and s == _NANO and abs(n) >= 1024_000_000_000 and not n % 1_000_000_000:
        whole = abs(n) // 1_000_000_000
        power = 0
        while power < 6 and not whole & 1023:
            whole >>= 10
            power += 1
        return ("-" if n < 0 else "") + str(whole) + _BINARY_BY_POWER[power]
    # Decimal: move trailing zeros into the exponent, then lower it to a multiple of three.
    m, e = _normalize(n, s)
    rest = e % 3
    if rest:
        m *= _POW10[rest]
        e -= rest
    if fmt is _EXP:
        return f"{m}e{e}" if e else str(m)
    suffix = _DECIMAL_BY_EXPONENT.get(e)
    if suffix is None:
        return f"{m}e{e}"
    return f"{m}{suffix}"


@attrs.frozen(init=False, eq=False, order=False, repr=False)
class Quantity:
    """An exact Kubernetes resource quantity: ``400m`` CPU, ``600M`` or ``1.5Gi`` of memory.

    The Python twin of Kubernetes' ``resource.Quantity``: it accepts exactly the strings that
    ``ParseQuantity`` accepts, holds the same exact value (non-zero values finer than one nano are
    rounded up to ``1n``; binary values are capped at 2**63-1), compares and hashes by value, and
    prints the canonical form that Kubernetes computes for the value. Immutable.

    Parameters
    ----------
    value
        A quantity string (``"600M"``, ``"0.5"``, ``"1e3"``), an ``int`` number of whole units, or
        another `Quantity`.
    format
        For an ``int`` value: the `Format` it prints in (default ``DECIMAL_SI``). Not allowed
        with a string, whose suffix decides the format.

    Raises
    ------
    QuantityError
        If the string is not a quantity Kubernetes accepts (``kind`` says which rule failed), or
        lies beyond the documented bounds (``kind="range"``).

    See Also
    --------
    parse_quantity : the same parse, cached: for strings seen again and again (manifests).
    Quantity.from_milli, Quantity.from_scaled : build from integers without a string.

    Notes
    -----
    Deliberate differences from Kubernetes (everything else is reproduced exactly and tested
    against upstream's own test tables):

    - ``str()`` always prints the canonical form of the value; Kubernetes echoes the input
      spelling for some inputs (``"1.5"`` parsed there prints ``"1.5"`` until arithmetic clears
      it; here ``"1500m"``).
    - Values beyond ``10**18`` print with an exponent rather than losing their suffix
      (``1000E`` prints ``1e21``; Kubernetes <= 1.37 prints ``1``), and binary values beyond
      ``Ei`` keep the ``Ei`` suffix.
    - Exponents beyond +/-1000 and magnitudes of ``10**2000`` or more raise
      ``QuantityError(kind="range")``, where Kubernetes wraps the exponent to 32 bits, hangs, or
      exhausts memory.
    - `value` and `milli_value` return exact Python ints rounded away from zero,
      never an overflowed ``int64``.

    Examples
    --------
    >>> q = Quantity("1.5Gi")
    >>> q
    Quantity('1536Mi')
    >>> str(q), q.format.value, q.value()
    ('1536Mi', 'BinarySI', 1610612736)
    >>> Quantity("0.5") == Quantity("500m")
    True
    >>> Quantity("1Gi") > Quantity("1G")
    True
    >>> sorted([Quantity("1k"), Quantity("100"), Quantity("1Ki")])
    [Quantity('100'), Quantity('1k'), Quantity('1Ki')]
    >>> Quantity(3)
    Quantity('3')
    """

    # The stored fields as one tuple ``(n, s, format)``: the value is ``n * 10**s``, with
    # ``s == -9`` whenever the value is a multiple of one nano (see ``_to_fields``). One slot
    # instead of three makes building a quantity markedly cheaper.
    _f: tuple[int, int, Format]

    def __init__(self, value: str | int | Quantity = 0, format: Format | None = None) -> None:
        if value.__class__ is str and format is None:
            _set_fields(self, _parse(value))
            return
        if isinstance(value, str):
            if format is not None:
                msg = "format is taken from the suffix of a string; pass an int to choose it"
                raise TypeError(msg)
            q = parse_quantity(value)
            n, s, fmt = q._f
        elif isinstance(value, Quantity):
            n, s, fmt = value._f
            if format is not None:
                fmt = _as_format(format)
        elif isinstance(value, int) and not isinstance(value, bool):
            n, s = _checked(value, 0, value)
            fmt = _DEC if format is None else _as_format(format)
        else:
            reason = "expected a quantity string, an int or a Quantity"
            raise QuantityError("format", value, reason)
        _set_fields(self, (n, s, fmt))

    @property
    def format(self) -> Format:
        """How the quantity prints (a `Format`); ignored by comparisons.

        Examples
        --------
        >>> Quantity("1.5Gi").format
        <Format.BINARY_SI: 'BinarySI'>
        """
        return self._f[2]

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def from_milli(cls, milli: int, format: Format = _DEC) -> Quantity:
        """Build ``milli / 1000`` units: Kubernetes' ``NewMilliQuantity``.

        Parameters
        ----------
        milli
            The value in thousandths of a unit.
        format
            The `Format` to print in.

        Returns
        -------
        Quantity

        Examples
        --------
        >>> Quantity.from_milli(400)
        Quantity('400m')
        >>> Quantity.from_milli(1500)
        Quantity('1500m')
        >>> Quantity.from_milli(2000)
        Quantity('2')
        """
        return cls.from_scaled(milli, -3, format)

    @classmethod
    def from_scaled(cls, value: int, scale: int, format: Format = _DEC) -> Quantity:
        """Build ``value * 10**scale``: Kubernetes' ``NewScaledQuantity``.

        Parameters
        ----------
        value
            The integer mantissa.
        scale
            The power of ten, within +/-1000.
        format
            The `Format` to print in.

        Returns
        -------
        Quantity

        Raises
        ------
        QuantityError
            ``kind="range"`` when ``scale`` or the magnitude is beyond orchkit's bounds.

        Examples
        --------
        >>> Quantity.from_scaled(3, 9)
        Quantity('3G')
        >>> Quantity.from_scaled(1, -12)
        Quantity('1e-12')
        """
        if not isinstance(value, int) or isinstance(value, bool):
            raise QuantityError("format", value, "expected an int", field="value")
        if not isinstance(scale, int) or isinstance(scale, bool) or abs(scale) > MAX_EXPONENT:
            reason = f"must be an int within +/-{MAX_EXPONENT}"
            raise QuantityError("range", scale, reason, field="scale")
        n, s = _checked(value, scale, value)
        return _make(n, s, _as_format(format))

    @classmethod
    def from_json(cls, value: object, field: str = "quantity") -> Quantity:
        """Decode a quantity as it appears in a JSON or YAML manifest.

        Mirrors Kubernetes' ``Quantity.UnmarshalJSON``: surrounding white space is trimmed from
        strings, JSON numbers are read as if they were quoted, and ``None`` (JSON ``null``) is
        zero. Floats are read from their shortest ``repr`` (``0.1`` is ``"0.1"``).

        Parameters
        ----------
        value
            A ``str``, ``int``, finite ``float`` or ``None``.
        field
            Where the value came from, for the error (``"spec.containers[0]...cpu"``).

        Returns
        -------
        Quantity

        Raises
        ------
        QuantityError
            For any other type, a non-finite float, or a string Kubernetes rejects.

        Examples
        --------
        >>> Quantity.from_json(" 2Gi ")
        Quantity('2Gi')
        >>> Quantity.from_json(0.5)
        Quantity('500m')
        >>> Quantity.from_json(None)
        Quantity('0')
        """
        try:
            if value is None:
                return _ZERO
            if isinstance(value, str):
                return parse_quantity(value.strip(" \t\n\r\v\f"))
            if isinstance(value, int) and not isinstance(value, bool):
                return parse_quantity(str(value))
            if isinstance(value, float):
                text = repr(value)
                if not _SCANNER.fullmatch(text):
                    raise _format_error(value)
                return parse_quantity(text)
        except QuantityError as err:
            if field == err.field:
                raise
            raise QuantityError(err.kind, value, err.reason, field=field) from None
        raise QuantityError("format", value, "expected a quantity string or number", field=field)

    # -- views -------------------------------------------------------------------------------

    def as_decimal(self) -> Decimal:
        """The exact value as a `decimal.Decimal` (no context rounding).

        Examples
        --------
        >>> Quantity("1.5Gi").as_decimal()
        Decimal('1610612736')
        >>> Quantity("100m").as_decimal()
        Decimal('0.1')
        """
        m, e = _normalize(*self._f[:2])
        if e >= 0:
            return Decimal(m * 10**e)
        return Decimal(f"{m}E{e}")

    def as_fraction(self) -> Fraction:
        """The exact value as a `fractions.Fraction`.

        Examples
        --------
        >>> Quantity("250m").as_fraction()
        Fraction(1, 4)
        """
        n, s, _ = self._f
        return Fraction(n, 10**-s)

    def as_approximate_float(self) -> float:
        """The value as the nearest ``float`` (``inf`` beyond the float range).

        Examples
        --------
        >>> Quantity("1.1Ki").as_approximate_float()
        1126.4
        """
        try:
            return float(self.as_fraction())
        except OverflowError:
            return float("inf") if self._f[0] > 0 else float("-inf")

    def scaled_value(self, scale: int) -> int:
        """The value in units of ``10**scale``, rounded away from zero, as an exact ``int``.

        Kubernetes' ``ScaledValue``, with upstream's fixed rounding for negative values.

        Examples
        --------
        >>> Quantity("1.5G").scaled_value(6)
        1500
        >>> Quantity("1n").scaled_value(-3)
        1
        """
        return _ceil_away(self._f[0], self._f[1], scale)

    def value(self) -> int:
        """The value in whole units, rounded away from zero (ceil for positive values).

        Examples
        --------
        >>> Quantity("100m").value(), Quantity("-1.5").value(), Quantity("1Gi").value()
        (1, -2, 1073741824)
        """
        return _ceil_away(self._f[0], self._f[1], 0)

    def milli_value(self) -> int:
        """The value in thousandths, rounded away from zero.

        Examples
        --------
        >>> Quantity("400m").milli_value(), Quantity("0.1n").milli_value()
        (400, 1)
        """
        return _ceil_away(self._f[0], self._f[1], -3)

    def is_zero(self) -> bool:
        """True when the value is zero.

        Examples
        --------
        >>> Quantity("0Mi").is_zero(), Quantity("1n").is_zero()
        (True, False)
        """
        return not self._f[0]

    def sign(self) -> int:
        """-1, 0 or 1.

        Examples
        --------
        >>> Quantity("-5m").sign()
        -1
        """
        return (self._f[0] > 0) - (self._f[0] < 0)

    def round_up(self, scale: int) -> Quantity:
        """Round away from zero to a multiple of ``10**scale``, keeping the format.

        Kubernetes' ``RoundUp``; the API server applies ``round_up(-3)`` to every resource list.
        The result equals ``self`` exactly when no rounding was needed.

        Examples
        --------
        >>> Quantity("9.01").round_up(-1)
        Quantity('9100m')
        >>> Quantity("-9.01").round_up(0)
        Quantity('-10')
        >>> Quantity("1.5Gi").round_up(1)
        Quantity('1610612740')
        """
        if not isinstance(scale, int) or isinstance(scale, bool) or abs(scale) > MAX_EXPONENT:
            reason = f"must be an int within +/-{MAX_EXPONENT}"
            raise QuantityError("range", scale, reason, field="scale")
        n, s, fmt = self._f
        if s >= scale:
            return self  # already a multiple of 10**scale
        rounded, s2 = _checked(_ceil_away(n, s, scale), scale, self)
        if rounded == n and s2 == s:
            return self
        return _make(rounded, s2, fmt)

    def with_format(self, format: Format) -> Quantity:
        """The same value printed in another `Format`.

        Examples
        --------
        >>> Quantity("1048576").with_format(Format.BINARY_SI)
        Quantity('1Mi')
        """
        return _make(self._f[0], self._f[1], _as_format(format))

    # -- arithmetic (exact; the result takes the receiver's format unless the receiver is 0) --

    def __add__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(*other._f, other)

    def __sub__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._combine(-other._f[0], other._f[1], other._f[2], other)

    def _combine(self, n2: int, s2: int, fmt2: Format, other: Quantity) -> Quantity:
        n1, s1, fmt = self._f
        if not n1:
            fmt = fmt2
        if not n2:
            return _make(n1, s1, fmt)
        if s1 == s2:
            n = n1 + n2
            if -_SMALL_NANOS < n < _SMALL_NANOS and s1 == _NANO:
                return _make(n, s1, fmt)  # the common case: no bound or scale to check
        elif s1 > s2:
            n = n1 * 10 ** (s1 - s2) + n2
            s1 = s2
        else:
            n = n1 + n2 * 10 ** (s2 - s1)
        n, s = _checked(n, s1, other)
        return _make(n, s, fmt)

    def __neg__(self) -> Quantity:
        n, s, fmt = self._f
        return _make(-n, s, fmt)

    def __pos__(self) -> Quantity:
        return self

    def __abs__(self) -> Quantity:
        return self if self._f[0] >= 0 else -self

    def __mul__(self, other: object) -> Quantity:
        if not isinstance(other, int) or isinstance(other, bool):
            return NotImplemented
        n, s, fmt = self._f
        n, s = _checked(n * other, s, other)
        return _make(n, s, fmt)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return bool(self._f[0])

    # -- comparisons (by exact value; the format is ignored) ---------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        a, b = self._f, other._f
        return a[0] == b[0] and a[1] == b[1]

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        a, b = self._f, other._f
        return a[0] != b[0] or a[1] != b[1]

    def __hash__(self) -> int:
        n, s, _ = self._f
        return hash(n) if s == _NANO else hash((n, s))

    def compare(self, other: Quantity) -> int:
        """-1, 0 or 1 as ``self`` is less than, equal to or greater than ``other``.

        Kubernetes' ``Cmp``.

        Examples
        --------
        >>> Quantity("1G").compare(Quantity("1Gi"))
        -1
        """
        if not isinstance(cast(object, other), Quantity):
            msg = f"cannot compare a Quantity with {type(other).__name__}"
            raise TypeError(msg)
        n1, s1, _ = self._f
        n2, s2, _ = other._f
        if s1 == s2:
            return (n1 > n2) - (n1 < n2)
        return _cmp_fields(n1, s1, n2, s2)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.compare(other) < 0

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.compare(other) <= 0

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.compare(other) > 0

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.compare(other) >= 0

    # -- printing ----------------------------------------------------------------------------

    def __str__(self) -> str:
        return _canonical(*self._f)

    def __repr__(self) -> str:
        return f"Quantity({_canonical(*self._f)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_make, self._f)


_new = object.__new__
_set_fields = Quantity.__dict__["_f"].__set__
#: Sums of nanos below this magnitude cannot reach the magnitude bound.
_SMALL_NANOS: Final = 10**300


def _make(n: int, s: int, fmt: Format) -> Quantity:
    """Build a quantity from its stored fields without validation (internal fast path)."""
    q: Quantity = _new(Quantity)
    _set_fields(q, (n, s, fmt))
    return q


_ZERO: Final = _make(0, _NANO, _DEC)
_MISSING: Final = object()
# Parsed quantities are immutable, so repeated strings are answered from a cache. A string is
# cached on its second sighting: the first only records it with a ``None`` value, so a stream of
# distinct strings does not fill the cache with objects that the garbage collector must visit.
# The cache is bounded in entries (it is emptied when full) and only short strings are kept.
_CACHE: dict[str, Quantity | None] = {}
_CACHE_LIMIT: Final = 16384
_CACHE_MAX_LEN: Final = 64


def parse_quantity(text: str) -> Quantity:
    """Parse a Kubernetes quantity string, exactly as Kubernetes' ``ParseQuantity``.

    Results are cached (quantities are immutable), so parsing the same strings over and over, as a
    scheduler does, costs a dictionary look-up from the second time a string is seen.

    Parameters
    ----------
    text
        The quantity: ``"400m"``, ``"600M"``, ``"1.5Gi"``, ``"1e3"``. No white space.

    Returns
    -------
    Quantity

    Raises
    ------
    QuantityError
        ``kind`` is ``"format"`` (the grammar), ``"suffix"`` (an unknown suffix), ``"numeric"``
        (no digits where Kubernetes needs some) or ``"range"`` (beyond orchkit's bounds).

    Examples
    --------
    >>> parse_quantity("600M")
    Quantity('600M')
    >>> parse_quantity("1.5").milli_value()
    1500
    >>> parse_quantity("1 Gi")
    Traceback (most recent call last):
    ...
    orchkit.errors.QuantityError: quantity: does not match the quantity grammar ... (got '1 Gi')
    """
    if text.__class__ is str:
        q = _CACHE.get(text, _MISSING)
        if q.__class__ is Quantity:
            return q
    elif isinstance(text, str):
        q = _MISSING
    else:
        raise QuantityError("format", text, "expected a quantity string")
    fresh: Quantity = _new(Quantity)
    _set_fields(fresh, _parse(text))
    if q is None:  # seen before: keep the object from now on
        _CACHE[text] = fresh
    elif len(text) <= _CACHE_MAX_LEN:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[text] = None  # first sighting: remember the string only
    return fresh
