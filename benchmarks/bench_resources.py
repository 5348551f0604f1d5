"""Quantity parsing: orchkit against ``kubernetes.utils.parse_quantity``, side by side in one run.

Two workloads:

(a) distinct strings: a seeded random mix of integers (75%) and fractions (25%), with a suffix
    drawn from every SI and binary suffix or none (90%) or an exponent (10%), 2% negative. No
    string is parsed twice by either parser, so no cache can help. orchkit is measured through
    ``Quantity(text)``, which parses directly, and through the cached ``parse_quantity(text)``,
    whose first sightings pay for remembering the string.
(b) the realistic mix: every quantity string in ../shared/data/manifests/*.yaml, parsed over and
    over as a scheduler does (orchkit's cache is fair game: quantities are immutable).

Method: the two parsers alternate, ``--repeat`` rounds each (default 7); each round of (a) uses a
fresh batch of strings for both parsers. The table shows the best and median time per string and
the ratio of the best times (peer / orchkit: above 1 means orchkit is faster).

Usage: ``python benchmarks/bench_resources.py [--quick] [--repeat N]``
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from orchkit._quantity import _CACHE
from orchkit.resources import Quantity, parse_quantity

try:
    from kubernetes.utils import parse_quantity as peer_parse
except ImportError:  # pragma: no cover - the dev extra installs it
    sys.exit("the peer is missing: pip install kubernetes")

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT.parent / "shared" / "data" / "manifests"
SUFFIXES = ["", "", "", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti", "u", "n", "P", "E"]


def distinct_strings(rng: random.Random, count: int, seen: set[str]) -> list[str]:
    """``count`` new quantity strings, none in ``seen`` (which is updated)."""
    out: list[str] = []
    while len(out) < count:
        whole = str(rng.randint(0, 99_999))
        r = rng.random()
        text = f"{whole}.{rng.randint(0, 999)}" if r < 0.25 else whole
        if rng.random() < 0.10:
            text += f"e{rng.randint(-6, 9)}"
        else:
            text += rng.choice(SUFFIXES)
        if rng.random() < 0.02:
            text = "-" + text
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def manifest_strings() -> list[str]:
    """Every resource quantity string in the shared manifests (requests, limits)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("requests", "limits") and isinstance(value, dict):
                    found.extend(str(v) for v in value.values())
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted(MANIFESTS.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            walk(doc)
    return found


def timed(parse: Callable[[str], object], strings: Iterable[str]) -> float:
    gc.collect()
    start = time.perf_counter()
    for text in strings:
        parse(text)
    return time.perf_counter() - start


def report(name: str, n: int, peer: list[float], ours: list[float], target: float) -> bool:
    bp, bo = min(peer) / n * 1e9, min(ours) / n * 1e9
    mp, mo = statistics.median(peer) / n * 1e9, statistics.median(ours) / n * 1e9
    ratio = min(peer) / min(ours)
    verdict = "meets" if ratio >= target else "MISSES"
    goal = f"  (target >= {target:.1f}x: {verdict})" if target else "  (no target: for reference)"
    print(f"{name:<40} {bp:8.0f} {mp:8.0f} {bo:8.0f} {mo:8.0f} {ratio:7.2f}x{goal}")
    return ratio >= target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat
    batch = 2_000 if args.quick else 100_000
    rng = random.Random(20261126)

    print(f"Python {sys.version.split()[0]}; peer: kubernetes.utils.parse_quantity")
    header = ("peer ns", "median", "orchkit", "median", "ratio")
    print(f"{'workload':<40} " + " ".join(f"{h:>8}" for h in header))
    ok = True

    # (a) distinct strings: a fresh batch per round, shared by both parsers.
    seen: set[str] = set()
    peer_t: list[float] = []
    ours_t: list[float] = []
    cached_t: list[float] = []
    for _ in range(repeat):
        strings = distinct_strings(rng, batch, seen)
        _CACHE.clear()
        peer_t.append(timed(peer_parse, strings))
        ours_t.append(timed(Quantity, strings))
        cached_t.append(timed(parse_quantity, strings))
    ok &= report(f"(a) {batch:,} distinct: Quantity()", batch, peer_t, ours_t, 1.0)
    report(f"(a) {batch:,} distinct: parse_quantity()", batch, peer_t, cached_t, 0.0)

    # (b) the realistic mix from real manifests, parsed repeatedly.
    if MANIFESTS.is_dir():
        base = manifest_strings()
        rounds = 20 if args.quick else 2_000
        strings = base * rounds
        rng.shuffle(strings)
        peer_t, ours_t = [], []
        for _ in range(repeat):
            peer_t.append(timed(peer_parse, strings))
            ours_t.append(timed(parse_quantity, strings))
        name = f"(b) manifests: {len(base)} strings x{rounds:,}"
        ok &= report(name, len(strings), peer_t, ours_t, 5.0)
    else:
        print("(b) skipped: ../shared/data/manifests is not present")
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
