"""Shared hypothesis strategies."""

from __future__ import annotations

from hypothesis import strategies as st

from orchkit.resources import Quantity, parse_quantity

SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]


@st.composite
def quantity_strings(draw: st.DrawFn, max_digits: int = 24) -> str:
    """Strings Kubernetes accepts: sign, digits, optional fraction, any suffix or exponent."""
    sign = draw(st.sampled_from(["", "+", "-"]))
    whole = draw(st.text("0123456789", min_size=1, max_size=max_digits))
    frac = draw(st.one_of(st.none(), st.text("0123456789", max_size=max_digits)))
    number = whole if frac is None else f"{whole}.{frac}"
    exponent = draw(st.integers(-30, 30).map(lambda x: f"e{x}"))
    suffix = draw(st.one_of(st.sampled_from(SUFFIXES), st.just(exponent)))
    return sign + number + suffix


def quantities(max_digits: int = 24) -> st.SearchStrategy[Quantity]:
    """Quantities as parsing produces them."""
    return quantity_strings(max_digits).map(parse_quantity)
