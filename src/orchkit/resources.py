"""Kubernetes resource quantities, resource lists, a pod's effective requests and its QoS class.

>>> from orchkit.resources import Quantity
>>> Quantity("600M") + Quantity("1Gi")
Quantity('1673741824')
"""

from __future__ import annotations

from orchkit._quantity import MAX_BINARY_DIGITS as MAX_BINARY_DIGITS
from orchkit._quantity import MAX_EXPONENT as MAX_EXPONENT
from orchkit._quantity import MAX_MAGNITUDE as MAX_MAGNITUDE
from orchkit._quantity import Format as Format
from orchkit._quantity import Quantity as Quantity
from orchkit._quantity import parse_quantity as parse_quantity

__all__ = [
    "MAX_BINARY_DIGITS",
    "MAX_EXPONENT",
    "MAX_MAGNITUDE",
    "Format",
    "Quantity",
    "parse_quantity",
]
