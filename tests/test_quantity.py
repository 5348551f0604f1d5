"""Quantity: the spec's worked examples, deliberate differences, hostile input, and properties."""

from __future__ import annotations

import contextlib
import pickle
import time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orchkit.errors import InvalidValueError, QuantityError
from orchkit.resources import MAX_EXPONENT, Format, Quantity, parse_quantity

from .strategies import quantities, quantity_strings


class TestGrammar:
    """Spec §1.2: what the scanner really accepts."""

    @pytest.mark.parametrize(
        ("text", "exact", "fmt"),
        [
            ("1E", "1000000000000000000", "DecimalSI"),
            ("1E3", "1000", "DecimalExponent"),
            ("1e+3", "1000", "DecimalExponent"),
            ("1e03", "1000", "DecimalExponent"),
            ("1.e3", "1000", "DecimalExponent"),
            ("+1", "1", "DecimalSI"),
            ("+.5", "0.5", "DecimalSI"),
            ("-0", "0", "DecimalSI"),
            ("-.5", "-0.5", "DecimalSI"),
            ("5.", "5", "DecimalSI"),
            ("5.Mi", "5242880", "BinarySI"),
            ("1.G", "1000000000", "DecimalSI"),
            ("+", "0", "DecimalSI"),
            ("-", "0", "DecimalSI"),
            (".", "0", "DecimalSI"),
            ("-.", "0", "DecimalSI"),
            ("e3", "0", "DecimalExponent"),
            (".e3", "0", "DecimalExponent"),
            ("E", "0", "DecimalSI"),
            ("Ki", "0", "BinarySI"),
            ("m", "0", "DecimalSI"),
            ("0Pi", "0", "BinarySI"),
            ("9" * 100, "9" * 100, "DecimalSI"),
        ],
    )
    def test_accepted(self, text: str, exact: str, fmt: str) -> None:
        q = parse_quantity(text)
        assert q.as_decimal() == Decimal(exact)
        assert q.format.value == fmt

    @pytest.mark.parametrize(
        ("text", "kind"),
        [
            *[(t, "suffix") for t in "1e 1K 1ki 1mi 1ke3 1Ki3 1mm 1m3 1e+ 1e- 1ee3 1Ee3".split()],
            *[(t, "format") for t in "1KI 1KiB 1kb 1p 1e3k 1e3i 1e-9m 1.5e-3Mi 1,5 1_000".split()],
            *[(t, "format") for t in "0x10 1.1.M 1+1.0M inf NaN \u0661 \uff11 1\u00b5".split()],
            *[(t, "format") for t in [" 1", "1 ", "\t1", "1\n", "1 Gi", ""]],
            *[(t, "numeric") for t in "Pi Ei .Pi .Ei e-10 .e-10".split()],
            ("1e9223372036854775808", "suffix"),
        ],
    )
    def test_rejected(self, text: str, kind: str) -> None:
        with pytest.raises(QuantityError) as err:
            parse_quantity(text)
        assert err.value.kind == kind
        assert err.value.value == text
        assert repr(text) in str(err.value)

    def test_error_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="unknown suffix 'K'"):
            Quantity("1K")

    @pytest.mark.parametrize("value", [None, 1.5, b"1", ["1"], True])
    def test_non_strings_are_rejected(self, value: object) -> None:
        with pytest.raises(QuantityError) as err:
            parse_quantity(value)  # type: ignore[arg-type]
        assert err.value.kind == "format"


class TestValue:
    """Spec §3: nano round-up, the binary cap, binary below one becoming DecimalSI."""

    @pytest.mark.parametrize(
        ("text", "exact", "fmt"),
        [
            ("0.1n", "0.000000001", "DecimalSI"),
            ("3.001n", "0.000000004", "DecimalSI"),
            ("1e-12", "0.000000001", "DecimalExponent"),
            ("-0.0000000001", "-0.000000001", "DecimalSI"),
            ("8Ei", str(2**63 - 1), "BinarySI"),
            ("9Ei", str(2**63 - 1), "BinarySI"),
            ("16Ei", str(2**63 - 1), "BinarySI"),
            ("9223372036854775807Ki", str(2**63 - 1), "BinarySI"),
            ("10E", "10000000000000000000", "DecimalSI"),
            ("0.000976562Ki", "0.999999488", "DecimalSI"),
            ("-0.0001Ki", "-0.1024", "DecimalSI"),
            ("0.000000000001Ki", "0.000000002", "DecimalSI"),
            ("1.1Ki", "1126.4", "BinarySI"),
            ("0Ki", "0", "BinarySI"),
            ("0e3", "0", "DecimalExponent"),
        ],
    )
    def test_stored_value(self, text: str, exact: str, fmt: str) -> None:
        q = parse_quantity(text)
        assert (q.as_decimal(), q.format.value) == (Decimal(exact), fmt)

    def test_huge_exponent_below_nano_rounds_to_one_nano(self) -> None:
        assert parse_quantity("1e-1000") == parse_quantity("1n")
        assert parse_quantity("0." + "0" * 5000 + "1") == parse_quantity("1n")


class TestCanonical:
    """Spec §4.2: the canonical ("fresh") string."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("0.5", "500m"), ("0.1", "100m"), ("1000m", "1"), ("1.5", "1500m"), ("5.4", "5400m"),
            ("0.0001", "100u"), ("1.5m", "1500u"), ("0.123456789", "123456789n"),
            ("0.1234567891", "123456790n"), ("1000", "1k"), ("1100", "1100"), ("12000", "12k"),
            ("1500000k", "1500M"), ("1.5G", "1500M"), ("1000M", "1G"),
            ("0.000000000001Ki", "2n"), (".001Ki", "1024m"), ("0.30000000000000004", "300000001n"),
            ("0.5Ki", "512"), ("1.1Ki", "1126400m"), ("100.035Ki", "102435840m"),
            ("0.05Gi", "53687091200m"), ("3.3Gi", "3543348019200m"), ("1.5Gi", "1536Mi"),
            ("1024Mi", "1Gi"), ("1.5Ki", "1536"), ("1025Ki", "1025Ki"), ("1000Mi", "1000Mi"),
            ("1.75Gi", "1792Mi"), ("9Ei", "9223372036854775807"), ("1e4", "10e3"),
            ("1e-7", "100e-9"), ("1.5e0", "1500e-3"), ("1.5e3", "1500"), ("1e1", "10"),
            ("1e19", "10e18"), ("1e1000", "10e999"), ("+1", "1"), ("007", "7"), ("5.", "5"),
            ("5.Mi", "5Mi"), ("1.234", "1234m"), ("1.500", "1500m"), ("1.234k", "1234"),
            ("12.345678M", "12345678"), ("123456789.123456789", "123456789123456789n"),
            ("1E3", "1e3"), ("1e0", "1"), ("1200e0", "1200"), ("1E-3", "1e-3"),
            ("-1.5Gi", "-1536Mi"), ("0Ki", "0"), ("-0e3", "0"),
        ],
    )  # fmt: skip
    def test_canonical(self, text: str, expected: str) -> None:
        q = parse_quantity(text)
        assert str(q) == expected
        assert repr(q) == f"Quantity({expected!r})"

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            # Deliberate difference: Kubernetes <= 1.37 drops the suffix and prints "1" or "10".
            (parse_quantity("1000E"), "1e21"),
            (parse_quantity("10000E"), "10e21"),
            (parse_quantity("1000000P"), "1e21"),
            (parse_quantity("1000000000000000000000"), "1e21"),
            (parse_quantity("1500E"), "1500E"),
            (Quantity.from_scaled(1, -12), "1e-12"),
            # Deliberate difference: binary values beyond Ei keep the Ei suffix.
            (Quantity(1024, Format.BINARY_SI) * 2**60, "1024Ei"),
            (parse_quantity("9Ei") + Quantity(1), "8Ei"),
        ],
    )
    def test_suffix_is_never_dropped(self, q: Quantity, expected: str) -> None:
        assert str(q) == expected


class TestArithmetic:
    """Spec §6: exact results; the receiver's format unless the receiver is zero."""

    @pytest.mark.parametrize(
        ("a", "op", "b", "expected", "fmt"),
        [
            ("1Ki", "+", "1k", "2024", "BinarySI"),
            ("1k", "+", "1Ki", "2024", "DecimalSI"),
            ("1Gi", "+", "250m", "1073741824250m", "BinarySI"),
            ("1Gi", "+", "512Mi", "1536Mi", "BinarySI"),
            ("500m", "+", "500m", "1", "DecimalSI"),
            ("1023Ki", "+", "1Ki", "1Mi", "BinarySI"),
            ("100Mi", "+", "100M", "204857600", "BinarySI"),
            ("1.234", "+", "0", "1234m", "DecimalSI"),
            ("0", "+", "1e3", "1e3", "DecimalExponent"),
            ("0", "-", "1e3", "-1e3", "DecimalExponent"),
            ("0", "-", "1Gi", "-1Gi", "BinarySI"),
            ("100m", "+", "0", "100m", "DecimalSI"),
            ("9Ei", "+", "1", "8Ei", "BinarySI"),
        ],
    )
    def test_examples(self, a: str, op: str, b: str, expected: str, fmt: str) -> None:
        qa, qb = parse_quantity(a), parse_quantity(b)
        result = qa + qb if op == "+" else qa - qb
        assert (str(result), result.format.value) == (expected, fmt)

    def test_multiply_and_negate(self) -> None:
        assert str(Quantity("400m") * 10) == "4"
        assert str(3 * Quantity("1Gi")) == "3Gi"
        assert str(-Quantity("9.01")) == "-9010m"
        assert abs(Quantity("-1Ki")) == Quantity("1Ki")
        assert +Quantity("1") == Quantity("1")

    def test_unsupported_operands(self) -> None:
        with pytest.raises(TypeError):
            Quantity("1") + 1  # type: ignore[operator]
        with pytest.raises(TypeError):
            Quantity("1") * 1.5  # type: ignore[operator]
        with pytest.raises(TypeError):
            _ = Quantity("1") < 2  # type: ignore[operator]
        assert Quantity("1") != 1

    @pytest.mark.parametrize(
        ("a", "b", "result"),
        [
            ("1e3", "1k", 0), ("1E", "1e18", 0), ("1Gi", "1073741824", 0), ("1G", "1Gi", -1),
            ("0.1n", "1n", 0), ("9Ei", "8Ei", 0), ("100Ei", "9223372036854775807", 0),
        ],
    )  # fmt: skip
    def test_compare(self, a: str, b: str, result: int) -> None:
        qa, qb = parse_quantity(a), parse_quantity(b)
        assert qa.compare(qb) == result
        assert (qa == qb) is (result == 0)
        assert (hash(qa) == hash(qb)) or result != 0

    def test_value_rounds_away_from_zero(self) -> None:
        assert [Quantity(t).value() for t in ["0.5", "100m", "-1.5", "-1.1Ki", "-0.1n"]] == [
            1, 1, -2, -1127, -1,
        ]  # fmt: skip
        assert Quantity("-1.5m").milli_value() == -2
        assert Quantity("1e19").value() == 10**19  # Kubernetes overflows to 0
        assert Quantity("9Ei").milli_value() == (2**63 - 1) * 1000  # Kubernetes: -1000

    def test_round_up(self) -> None:
        assert str(Quantity("1.05").round_up(-1)) == "1100m"
        assert str(Quantity("1.5Gi").round_up(1)) == "1610612740"
        assert Quantity("1.5Gi").round_up(1).format is Format.BINARY_SI
        q = Quantity("1.234")
        assert q.round_up(-3) is q


class TestConstructors:
    def test_from_milli_and_scaled(self) -> None:
        assert str(Quantity.from_milli(400)) == "400m"
        assert str(Quantity.from_milli(1024, Format.BINARY_SI)) == "1024m"
        assert str(Quantity.from_scaled(1000, -9)) == "1u"
        assert str(Quantity(1024, Format.BINARY_SI)) == "1Ki"
        assert str(Quantity(1024, "BinarySI")) == "1Ki"  # type: ignore[arg-type]
        assert Quantity(Quantity("1Ki")) == Quantity("1024")

    def test_bad_arguments(self) -> None:
        with pytest.raises(InvalidValueError, match="format"):
            Quantity.from_milli(1, "binary")  # type: ignore[arg-type]
        with pytest.raises(QuantityError, match="scale"):
            Quantity.from_scaled(1, MAX_EXPONENT + 1)
        with pytest.raises(QuantityError):
            Quantity.from_scaled(1.5, 0)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="suffix"):
            Quantity("1", Format.BINARY_SI)
        with pytest.raises(QuantityError):
            Quantity(1.5)  # type: ignore[arg-type]

    def test_from_json(self) -> None:
        assert str(Quantity.from_json(" 2Gi ")) == "2Gi"
        assert str(Quantity.from_json(1)) == "1"
        assert str(Quantity.from_json(0.30000000000000004)) == "300000001n"
        assert str(Quantity.from_json(1e-5)) == "10e-6"
        assert Quantity.from_json(None).is_zero()
        for bad in [float("nan"), float("inf"), True, [1], "\t1x"]:
            with pytest.raises(QuantityError):
                Quantity.from_json(bad)

    def test_immutable_and_picklable(self) -> None:
        q = Quantity("1.5Gi")
        with pytest.raises(AttributeError):
            q.format = Format.DECIMAL_SI  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(q)) == q
        assert pickle.loads(pickle.dumps(q)).format is Format.BINARY_SI
        err = pickle.loads(pickle.dumps(QuantityError("suffix", "1K", "unknown suffix 'K'")))
        assert (err.kind, err.value) == ("suffix", "1K")


class TestBounds:
    """Deliberate difference (spec §7): bounded exponents and magnitudes instead of hangs."""

    @pytest.mark.parametrize(
        "text",
        [
            "1e1001", "1e-1001", "1e4294967296", "1e9223372036854775807", "1e-999999999",
            "1e2147483648", "1" + "0" * 2000, "1" + "0" * 1000 + "e1000",
        ],
    )  # fmt: skip
    def test_range_errors(self, text: str) -> None:
        with pytest.raises(QuantityError) as err:
            parse_quantity(text)
        assert err.value.kind == "range"

    def test_within_bounds(self) -> None:
        assert parse_quantity("1e1000").as_fraction() == 10**1000
        assert parse_quantity("1e-1000") == parse_quantity("1n")
        big = parse_quantity("9" * 999 + "e1000")
        assert big.value() == int("9" * 999) * 10**1000

    def test_arithmetic_beyond_bounds_raises(self) -> None:
        big = parse_quantity("1e1000")
        with pytest.raises(QuantityError) as err:
            _ = big * 10**1000
        assert err.value.kind == "range"

    @pytest.mark.parametrize(
        "text",
        [
            "9" * 1_000_000,
            "0." + "0" * 1_000_000 + "1",
            "1e" + "0" * 1_000_000 + "3",
            "1." + "5" * 1_000_000 + "Ki",
            "-" * 1_000_000,
            "1" + "e" * 1_000_000,
        ],
    )
    def test_hostile_input_is_fast(self, text: str) -> None:
        start = time.perf_counter()
        with contextlib.suppress(QuantityError):
            parse_quantity(text)
        assert time.perf_counter() - start < 1.0  # linear in the length: ~ms for 1 MB


class TestProperties:
    @given(quantities())
    @example(parse_quantity("9Ei"))
    @example(parse_quantity("0.000976562Ki"))
    @example(parse_quantity("1000E"))
    def test_round_trip(self, q: Quantity) -> None:
        """parse(str(q)) == q, and str is idempotent."""
        again = parse_quantity(str(q))
        assert again == q
        assert str(again) == str(q)

    @given(quantities(), quantities())
    def test_arithmetic_matches_fractions(self, a: Quantity, b: Quantity) -> None:
        """+ and - are exact, and the result format follows the receiver unless it is zero."""
        fa, fb = a.as_fraction(), b.as_fraction()
        assert (a + b).as_fraction() == fa + fb
        assert (a - b).as_fraction() == fa - fb
        assert (-a).as_fraction() == -fa
        assert (a + b).format is (a.format if fa else b.format)

    @given(quantities(), st.integers(-(10**6), 10**6))
    def test_multiplication_matches_fractions(self, a: Quantity, k: int) -> None:
        assert (a * k).as_fraction() == a.as_fraction() * k
        assert (a * k).format is a.format

    @given(quantities(), quantities())
    def test_ordering_and_hashing_follow_exact_values(self, a: Quantity, b: Quantity) -> None:
        fa, fb = a.as_fraction(), b.as_fraction()
        got = (a < b, a <= b, a == b, a >= b, a > b)
        assert got == (fa < fb, fa <= fb, fa == fb, fa >= fb, fa > fb)
        assert a.compare(b) == (fa > fb) - (fa < fb)
        if a == b:
            assert hash(a) == hash(b)

    @given(quantities())
    def test_value_and_milli_round_away_from_zero(self, q: Quantity) -> None:
        f = q.as_fraction()
        for got, exact in ((q.value(), f), (q.milli_value(), f * 1000)):
            assert abs(got) >= abs(exact) > abs(got) - 1
            assert got == 0 or (got > 0) == (exact > 0)

    @given(quantities())
    def test_decimal_view_is_exact(self, q: Quantity) -> None:
        assert Fraction(q.as_decimal()) == q.as_fraction()

    @given(st.text(max_size=60) | st.text("0123456789.+-eEinumkKMGTP ", max_size=60))
    @example("1e-2147483649")
    @example("1e2147483647")
    def test_any_text_parses_or_raises(self, text: str) -> None:
        """Every text either parses or raises QuantityError, quickly."""
        start = time.perf_counter()
        outcome: object
        try:
            outcome = parse_quantity(text)
        except QuantityError as err:
            outcome = err.kind
        assert isinstance(outcome, Quantity) or outcome in {"format", "suffix", "numeric", "range"}
        assert time.perf_counter() - start < 0.05

    @given(quantity_strings())
    def test_cache_returns_equal_values(self, text: str) -> None:
        first, second, third = (parse_quantity(text) for _ in range(3))
        assert first == second == third == Quantity(text)
        assert third is parse_quantity(text)  # cached from the second sighting on


def test_binary_digit_bound() -> None:
    """Deliberate difference: binary-suffixed numbers keep at most 1,000 significant digits."""
    assert parse_quantity("1" * 5000 + "Ki") == parse_quantity("9Ei")  # capped, as Kubernetes
    assert parse_quantity("0." + "0" * 5000 + "1Ki") == parse_quantity("1n")
    with pytest.raises(QuantityError) as err:
        parse_quantity("1." + "1" * 1000 + "Ki")
    assert err.value.kind == "range"


@given(
    st.one_of(
        quantity_strings(max_digits=12),
        st.text("0123456789.+-eEinumkKMGTP", max_size=12),
        st.from_regex(
            r"[+-]?[0-9]{0,10}(\.[0-9]{0,10})?([eE][+-]?[0-9]{1,3}|[numkMGTPE]|[KMGTPE]i)?",
            fullmatch=True,
        ),
    )
)
def test_fast_path_agrees_with_the_scanner(text: str) -> None:
    """The fast path and Kubernetes' rule-by-rule scanner give the same result or error."""
    from orchkit._quantity import _parse, _parse_slow

    def outcome(parse: object) -> object:
        try:
            return parse(text)  # type: ignore[operator]
        except QuantityError as err:
            return err.kind

    assert outcome(_parse) == outcome(_parse_slow)


def test_from_json_names_the_field() -> None:
    with pytest.raises(QuantityError) as err:
        Quantity.from_json("1K", field="spec.containers[0].resources.requests.cpu")
    assert err.value.field == "spec.containers[0].resources.requests.cpu"
    assert err.value.kind == "suffix"
    assert str(err.value).startswith("spec.containers[0].resources.requests.cpu: ")
    with pytest.raises(QuantityError) as err:
        Quantity.from_json([1], field="memory")
    assert err.value.field == "memory"


def test_compare_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="compare"):
        Quantity("1").compare("1")  # type: ignore[arg-type]
