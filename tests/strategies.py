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


@st.composite
def scalar_instances(draw: st.DrawFn, max_items: int = 40) -> tuple[list[int], int]:
    """One-dimensional instances: ``(sizes, capacity)`` with every size <= capacity."""
    capacity = draw(st.integers(min_value=1, max_value=120))
    sizes = draw(st.lists(st.integers(min_value=0, max_value=capacity), max_size=max_items))
    return sizes, capacity


@st.composite
def vector_instances(
    draw: st.DrawFn, max_items: int = 30, max_dims: int = 3
) -> tuple[list[list[int]], list[int]]:
    """Vector instances: ``(sizes, capacity)`` with every size <= capacity in each dimension."""
    dims = draw(st.integers(min_value=1, max_value=max_dims))
    capacity = draw(st.lists(st.integers(min_value=1, max_value=60), min_size=dims, max_size=dims))
    item = st.tuples(*(st.integers(min_value=0, max_value=c) for c in capacity)).map(list)
    sizes = draw(st.lists(item, max_size=max_items))
    return sizes, capacity


Instance = tuple[list[int] | list[list[int]], int | list[int]]


def instances(max_items: int = 30) -> st.SearchStrategy[Instance]:
    """Scalar or vector instances."""
    return st.one_of(scalar_instances(max_items), vector_instances(max_items))
