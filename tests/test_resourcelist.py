"""ResourceList: an immutable, hashable mapping of name to Quantity, with scheduler maths."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from fractions import Fraction

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orchkit.errors import InvalidValueError, OrchkitError, QuantityError
from orchkit.resources import Format, Quantity, ResourceList

NAMES = ["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu", "pods"]


def milli_quantities(min_milli: int = 0, max_milli: int = 10**15) -> st.SearchStrategy[Quantity]:
    """Quantities at milli precision, in every format (the API server's resolution)."""
    fmt = st.sampled_from(list(Format))
    return st.builds(Quantity.from_milli, st.integers(min_milli, max_milli), fmt)


def resource_lists(
    min_milli: int = 0, max_milli: int = 10**15, names: list[str] = NAMES
) -> st.SearchStrategy[ResourceList]:
    values = milli_quantities(min_milli, max_milli)
    return st.dictionaries(st.sampled_from(names), values, max_size=len(names)).map(ResourceList)


def fits_oracle(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> bool:
    """The definition of `fits`, in exact fractions: every name of either, missing = zero."""
    zero = Fraction(0)
    return all(
        (a[n].as_fraction() if n in a else zero) <= (b[n].as_fraction() if n in b else zero)
        for n in set(a) | set(b)
    )


def check(rl: ResourceList) -> None:
    """Invariants of a ResourceList: sorted unique names, Quantity values, index agrees."""
    names = list(rl)
    assert names == sorted(set(names))
    assert len(rl) == len(names)
    for name in names:
        assert isinstance(name, str)
        assert name
        assert isinstance(rl[name], Quantity)
    assert dict(rl.items()) == {n: rl[n] for n in names}


class TestConstruction:
    def test_from_mapping_pairs_and_strings(self) -> None:
        a = ResourceList({"memory": "600M", "cpu": Quantity("400m")})
        b = ResourceList([("cpu", "400m"), ("memory", Quantity("600M"))])
        check(a)
        assert a == b
        assert list(a) == ["cpu", "memory"]
        assert a["cpu"] == Quantity("400m")
        assert len(ResourceList()) == 0

    def test_mapping_protocol(self) -> None:
        rl = ResourceList({"cpu": "1"})
        assert "cpu" in rl
        assert "memory" not in rl
        assert 3 not in rl
        assert rl.get("memory") is None
        assert rl.get_or_zero("memory") == Quantity(0)
        assert list(rl.items()) == [("cpu", Quantity(1))]
        with pytest.raises(KeyError):
            rl["memory"]

    def test_bad_string_names_the_resource(self) -> None:
        with pytest.raises(QuantityError) as info:
            ResourceList({"cpu": "1", "memory": "1 Gi"})
        assert info.value.field == "memory"
        assert info.value.kind == "format"
        assert info.value.value == "1 Gi"

    @pytest.mark.parametrize("value", [1.5, None, True, [1]])
    def test_non_quantity_values_are_refused(self, value: object) -> None:
        with pytest.raises(InvalidValueError) as info:
            ResourceList({"cpu": value})  # type: ignore[dict-item]
        assert info.value.field == "cpu"
        assert "ResourceList.parse" in str(info.value)

    @pytest.mark.parametrize("resources", ["cpu", 3, [("cpu", "1", "x")], ["cpu"]])
    def test_bad_containers(self, resources: object) -> None:
        with pytest.raises(InvalidValueError) as info:
            ResourceList(resources)  # type: ignore[arg-type]
        assert info.value.field == "resources"

    @pytest.mark.parametrize("name", ["", 3, None])
    def test_bad_names(self, name: object) -> None:
        with pytest.raises(InvalidValueError):
            ResourceList({name: "1"})  # type: ignore[dict-item]
        with pytest.raises(InvalidValueError):
            ResourceList.parse({name: "1"})

    def test_immutable(self) -> None:
        rl = ResourceList({"cpu": "1"})
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            rl._items = ()  # type: ignore[misc]
        assert not hasattr(rl, "__setitem__")


class TestParse:
    def test_manifest_values(self) -> None:
        rl = ResourceList.parse(
            {"cpu": 0.5, "memory": " 1Gi ", "pods": 110, "nvidia.com/gpu": None, "x": Quantity(2)}
        )
        assert rl.to_dict() == {
            "cpu": "500m",
            "memory": "1Gi",
            "nvidia.com/gpu": "0",
            "pods": "110",
            "x": "2",
        }

    @pytest.mark.parametrize(
        ("value", "kind"),
        [("600 M", "format"), ("1K", "suffix"), (float("nan"), "format"), (True, "format")],
    )
    def test_errors_name_the_resource(self, value: object, kind: str) -> None:
        with pytest.raises(QuantityError) as info:
            ResourceList.parse({"cpu": "400m", "memory": value})
        assert info.value.field == "memory"
        assert info.value.kind == kind
        assert str(info.value).startswith("memory: ")

    def test_not_a_mapping(self) -> None:
        with pytest.raises(InvalidValueError) as info:
            ResourceList.parse(["cpu", "1"])  # type: ignore[arg-type]
        assert info.value.field == "resources"
        assert isinstance(info.value, OrchkitError)


class TestValueSemantics:
    def test_equality_and_hash_ignore_format(self) -> None:
        a = ResourceList({"memory": "1Gi", "cpu": "1"})
        b = ResourceList.parse({"cpu": "1000m", "memory": 1073741824})
        assert a == b
        assert hash(a) == hash(b)
        assert len({a, b}) == 1
        assert a != ResourceList({"memory": "1Gi"})
        assert a != ResourceList({"memory": "1Gi", "cpu": "2"})

    def test_equality_with_plain_mappings(self) -> None:
        rl = ResourceList({"cpu": "1"})
        assert rl == {"cpu": Quantity("1000m")}
        assert rl != {"cpu": "1"}
        assert rl != {"cpu": Quantity(1), "memory": Quantity(0)}
        assert rl != 1

    def test_zero_entries_are_kept(self) -> None:
        """A listed zero is part of the mapping (as in Kubernetes); `fits` treats it as absent."""
        with_zero = ResourceList({"cpu": "1", "memory": "0"})
        without = ResourceList({"cpu": "1"})
        assert with_zero != without
        assert with_zero <= without
        assert without <= with_zero

    def test_repr_round_trips_and_str_is_canonical(self) -> None:
        rl = ResourceList.parse({"memory": "1.5Gi", "cpu": 1.5, "nvidia.com/gpu": 1})
        expected = "ResourceList({'cpu': '1500m', 'memory': '1536Mi', 'nvidia.com/gpu': '1'})"
        assert repr(rl) == expected
        assert str(rl) == "{cpu: 1500m, memory: 1536Mi, nvidia.com/gpu: 1}"
        assert eval(repr(rl)) == rl
        assert str(ResourceList()) == "{}"
        assert repr(ResourceList()) == "ResourceList({})"

    @given(resource_lists())
    def test_pickle_and_dict_round_trip(self, rl: ResourceList) -> None:
        """Lists survive pickling and their plain-data form."""
        check(rl)
        assert pickle.loads(pickle.dumps(rl)) == rl
        assert ResourceList.parse(rl.to_dict()) == rl
        assert eval(repr(rl)) == rl


class TestArithmetic:
    def test_add_sub_mul(self) -> None:
        a = ResourceList({"cpu": "400m", "memory": "600M"})
        b = ResourceList({"cpu": "100m", "nvidia.com/gpu": "1"})
        assert a + b == ResourceList({"cpu": "500m", "memory": "600M", "nvidia.com/gpu": "1"})
        assert a - b == ResourceList({"cpu": "300m", "memory": "600M", "nvidia.com/gpu": "-1"})
        assert a * 10 == ResourceList({"cpu": "4", "memory": "6G"})
        assert 10 * a == a * 10
        assert a * 0 == ResourceList({"cpu": "0", "memory": "0"})

    def test_add_keeps_the_first_format(self) -> None:
        total = ResourceList({"memory": "1Gi"}) + ResourceList({"memory": "512Mi"})
        assert str(total) == "{memory: 1536Mi}"

    @pytest.mark.parametrize("other", [1, 1.5, True, "1", {"cpu": "1"}])
    def test_unsupported_operands(self, other: object) -> None:
        rl = ResourceList({"cpu": "1"})
        with pytest.raises(TypeError):
            rl + other  # type: ignore[operator]
        with pytest.raises(TypeError):
            rl - other  # type: ignore[operator]
        if not isinstance(other, int) or isinstance(other, bool):
            with pytest.raises(TypeError):
                rl * other  # type: ignore[operator]

    def test_maximum(self) -> None:
        a = ResourceList({"cpu": "500m", "memory": "1Gi"})
        b = ResourceList({"cpu": "1", "nvidia.com/gpu": "1"})
        assert a.maximum(b) == ResourceList({"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"})
        assert a.maximum({"memory": "2Gi"}) == ResourceList({"cpu": "500m", "memory": "2Gi"})
        tie = ResourceList({"memory": "1Gi"}).maximum(ResourceList({"memory": "1073741824"}))
        assert str(tie) == "{memory: 1Gi}"

    @given(resource_lists(), resource_lists(), resource_lists())
    def test_addition_is_a_commutative_monoid(
        self, a: ResourceList, b: ResourceList, c: ResourceList
    ) -> None:
        """+ is commutative and associative, and the empty list is neutral."""
        assert a + b == b + a
        assert (a + b) + c == a + (b + c)
        assert a + ResourceList() == a
        check(a + b)

    @given(resource_lists(), resource_lists())
    def test_sub_undoes_add(self, a: ResourceList, b: ResourceList) -> None:
        """(a + b) - b equals a, up to zero entries for names only b had."""
        back = (a + b) - b
        assert back.fits(a)
        assert a.fits(back)
        assert {n: q for n, q in back.items() if n in a} == dict(a)

    @given(resource_lists(), st.integers(1, 6))
    def test_mul_is_repeated_addition(self, a: ResourceList, k: int) -> None:
        """a * k == a + ... + a."""
        total = a
        for _ in range(k - 1):
            total = total + a
        assert a * k == total

    @given(resource_lists(), resource_lists())
    def test_maximum_is_the_least_upper_bound(self, a: ResourceList, b: ResourceList) -> None:
        """max(a, b) fits neither below a nor b, and each value comes from a or b."""
        m = a.maximum(b)
        check(m)
        assert a <= m
        assert b <= m
        assert set(m) == set(a) | set(b)
        for name, q in m.items():
            assert q in (a.get(name), b.get(name))
        assert m == b.maximum(a)


class TestFits:
    def test_missing_counts_as_zero(self) -> None:
        pod = ResourceList({"cpu": "400m", "memory": "600M"})
        node = ResourceList({"cpu": "4", "memory": "16Gi", "pods": "110"})
        assert pod.fits(node)
        assert pod <= node
        assert node >= pod
        assert not node.fits(pod)
        assert not ResourceList({"nvidia.com/gpu": "1"}).fits(node)
        assert ResourceList({"nvidia.com/gpu": "0"}).fits(node)
        assert ResourceList().fits(node)

    def test_boundaries(self) -> None:
        assert ResourceList({"cpu": "4"}).fits({"cpu": "4000m"})
        assert not ResourceList({"cpu": "4001m"}).fits({"cpu": "4"})
        assert not ResourceList().fits(ResourceList({"cpu": "-1"}))
        assert ResourceList({"cpu": "-1"}).fits(ResourceList())

    def test_partial_order_not_total(self) -> None:
        a = ResourceList({"cpu": "2", "memory": "1Gi"})
        b = ResourceList({"cpu": "1", "memory": "2Gi"})
        assert not a <= b
        assert not b <= a
        with pytest.raises(TypeError):
            a < b  # type: ignore[operator]  # noqa: B015

    def test_capacity_from_a_mapping_and_bad_capacity(self) -> None:
        pod = ResourceList({"cpu": "1"})
        assert pod.fits({"cpu": 2})
        with pytest.raises(QuantityError) as info:
            pod.fits({"cpu": "two"})
        assert info.value.field == "cpu"
        with pytest.raises(InvalidValueError) as info2:
            pod.fits(4)  # type: ignore[arg-type]
        assert info2.value.field == "capacity"
        with pytest.raises(TypeError):
            pod <= {"cpu": "2"}  # type: ignore[operator]  # noqa: B015

    @given(resource_lists(), resource_lists())
    @example(ResourceList({"cpu": "1"}), ResourceList({"cpu": "1000m"}))
    @example(ResourceList({"cpu": "0"}), ResourceList())
    def test_fits_agrees_with_exact_fractions(self, a: ResourceList, b: ResourceList) -> None:
        """fits is exactly 'every named resource at most, missing = zero'."""
        assert a.fits(b) == fits_oracle(a, b)
        assert (a <= b) == a.fits(b)
        assert (b >= a) == a.fits(b)

    @given(resource_lists(), resource_lists())
    def test_adding_never_fits_less(self, a: ResourceList, b: ResourceList) -> None:
        """With non-negative quantities, a <= a + b."""
        assert a <= a + b


class TestDominantShare:
    def test_exact_share(self) -> None:
        pod = ResourceList({"cpu": "400m", "memory": "600M"})
        node = ResourceList({"cpu": "4", "memory": "16Gi"})
        assert pod.dominant_share(node) == Fraction(1, 10)
        big = ResourceList({"cpu": "100m", "memory": "8Gi"})
        assert big.dominant_share(node) == Fraction(1, 2)
        assert ResourceList().dominant_share(node) == 0
        assert ResourceList({"nvidia.com/gpu": "0"}).dominant_share(node) == 0

    @pytest.mark.parametrize("capacity", [{"cpu": "4"}, {"cpu": "4", "nvidia.com/gpu": "0"}])
    def test_requested_resource_without_capacity(self, capacity: dict[str, str]) -> None:
        with pytest.raises(InvalidValueError) as info:
            ResourceList({"cpu": "1", "nvidia.com/gpu": "1"}).dominant_share(capacity)
        assert info.value.field == "nvidia.com/gpu"
        assert "capacity" in str(info.value)

    @given(resource_lists(), resource_lists(min_milli=1))
    def test_share_at_most_one_iff_fits(self, a: ResourceList, cap: ResourceList) -> None:
        """Where the capacity covers every requested resource, share <= 1 exactly when a fits."""
        covered = ResourceList({n: q for n, q in a.items() if n in cap or q.is_zero()})
        share = covered.dominant_share(cap)
        assert share >= 0
        assert (share <= 1) == covered.fits(cap)


class TestToVector:
    def test_scheduler_units(self) -> None:
        rl = ResourceList({"cpu": "400m", "memory": "600M", "hugepages-2Mi": "2Mi"})
        assert rl.to_vector(["cpu", "memory", "hugepages-2Mi", "nvidia.com/gpu"]) == (
            400,
            600_000_000,
            2 * 1024 * 1024,
            0,
        )
        assert rl.to_vector([]) == ()

    def test_rounds_away_from_zero(self) -> None:
        rl = ResourceList({"cpu": "0.1n", "memory": "0.5", "x": "-1.5"})
        assert rl.to_vector(["cpu", "memory", "x"]) == (1, 1, -2)

    def test_one_string_is_refused(self) -> None:
        with pytest.raises(InvalidValueError) as info:
            ResourceList({"cpu": "1"}).to_vector("cpu")
        assert info.value.field == "names"

    @given(resource_lists(), resource_lists())
    def test_monotone(self, a: ResourceList, b: ResourceList) -> None:
        """If a fits b, no component of a's vector exceeds b's (rounding up is monotone)."""
        if a.fits(b):
            for x, y in zip(a.to_vector(NAMES), b.to_vector(NAMES), strict=True):
                assert x <= y
