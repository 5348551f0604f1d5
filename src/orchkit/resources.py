"""Kubernetes resource quantities, resource lists, a pod's effective requests and its QoS class.

Examples
--------
>>> from orchkit.resources import Quantity, ResourceList, pod_requests
>>> Quantity("600M") + Quantity("1Gi")
Quantity('1673741824')
>>> ResourceList({"cpu": "400m", "memory": "600M"}) * 10
ResourceList({'cpu': '4', 'memory': '6G'})
>>> container = {"name": "nginx", "resources": {"requests": {"cpu": "400m", "memory": "600M"}}}
>>> pod_requests({"kind": "Pod", "spec": {"containers": [container, container]}})
ResourceList({'cpu': '800m', 'memory': '1200M'})
"""

from __future__ import annotations

from orchkit._pod import QOSClass as QOSClass
from orchkit._pod import pod_limits as pod_limits
from orchkit._pod import pod_requests as pod_requests
from orchkit._pod import qos_class as qos_class
from orchkit._quantity import MAX_BINARY_DIGITS as MAX_BINARY_DIGITS
from orchkit._quantity import MAX_EXPONENT as MAX_EXPONENT
from orchkit._quantity import MAX_MAGNITUDE as MAX_MAGNITUDE
from orchkit._quantity import Format as Format
from orchkit._quantity import Quantity as Quantity
from orchkit._quantity import parse_quantity as parse_quantity
from orchkit._resourcelist import ResourceList as ResourceList

__all__ = [
    "MAX_BINARY_DIGITS",
    "MAX_EXPONENT",
    "MAX_MAGNITUDE",
    "Format",
    "QOSClass",
    "Quantity",
    "ResourceList",
    "parse_quantity",
    "pod_limits",
    "pod_requests",
    "qos_class",
]
