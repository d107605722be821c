"""The network map's shape: clusters of people who know each other, and a
first layout that keeps each cluster together.

Pure functions of the ties and a seed. Clusters come from the Louvain method
(Blondel et al. 2008): people move to the neighbouring cluster that raises
modularity most, weighted by tie strength, then clusters become nodes and it
starts again. Label propagation, tried first, gave one cluster for the
sample world's 120 people: a few hubs tie everyone together. The layout
puts each cluster on a ring around the centre (the owner, when shown), the
biggest first, and its people on a sunflower spiral around the cluster's
centre, strongest nearest; the browser refines it.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

#: Sweeps of one level, and levels, at most (each level usually needs a few).
MAX_SWEEPS = 20
MAX_LEVELS = 5
#: Clusters smaller than this are drawn together, as the loosely tied.
MIN_CLUSTER = 3
#: The angle between successive points of a sunflower spiral (the golden angle).
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True, slots=True)
class Placed:
    id: int
    cluster: int
    x: float
    y: float


def clusters(
    nodes: Sequence[int], edges: Sequence[tuple[int, int, float]], *, seed: int = 0
) -> dict[int, int]:
    """node → cluster number: 0 the largest cluster, 1 the next …; people in
    clusters smaller than ``MIN_CLUSTER`` (the loosely tied) share the last."""
    adj: dict[int, dict[int, float]] = {n: {} for n in nodes}
    for a, b, w in edges:
        if a in adj and b in adj and a != b:
            adj[a][b] = adj[a].get(b, 0.0) + w
            adj[b][a] = adj[b].get(a, 0.0) + w
    rng = random.Random(seed)
    member = {n: n for n in nodes}
    for _ in range(MAX_LEVELS):
        found = _local_moving(adj, rng)
        if len(set(found.values())) == len(adj):
            break
        member = {n: found[c] for n, c in member.items()}
        adj = _aggregate(adj, found)
    sizes: dict[int, int] = defaultdict(int)
    for c in member.values():
        sizes[c] += 1
    big = sorted((c for c in sizes if sizes[c] >= MIN_CLUSTER), key=lambda c: (-sizes[c], c))
    number = {c: i for i, c in enumerate(big)}
    loose = len(big)
    return {n: number.get(member[n], loose) for n in nodes}


def _local_moving(adj: dict[int, dict[int, float]], rng: random.Random) -> dict[int, int]:
    """Louvain's first phase: move each node to the neighbouring community
    with the largest modularity gain, k_i,in − Σ_tot · k_i / 2m, until none moves."""
    degree = {n: sum(nbrs.values()) for n, nbrs in adj.items()}
    m2 = sum(degree.values())
    community = {n: n for n in adj}
    if m2 == 0:
        return community
    total = dict(degree)
    order = list(adj)
    for _ in range(MAX_SWEEPS):
        rng.shuffle(order)
        moved = 0
        for n in order:
            here, k = community[n], degree[n]
            links: dict[int, float] = defaultdict(float)
            for m, w in adj[n].items():
                if m != n:
                    links[community[m]] += w
            total[here] -= k
            best, best_gain = here, links.get(here, 0.0) - total[here] * k / m2
            for c, w in links.items():
                gain = w - total[c] * k / m2
                if gain > best_gain + 1e-12:
                    best, best_gain = c, gain
            total[best] += k
            if best != here:
                community[n] = best
                moved += 1
        if not moved:
            break
    return community


def _aggregate(
    adj: dict[int, dict[int, float]], community: dict[int, int]
) -> dict[int, dict[int, float]]:
    """Louvain's second phase: one node per community, ties summed (a
    community's inner ties become its self-loop, kept in its degree)."""
    out: dict[int, dict[int, float]] = {c: {} for c in set(community.values())}
    for n, nbrs in adj.items():
        cn = community[n]
        for m, w in nbrs.items():
            cm = community[m]
            out[cn][cm] = out[cn].get(cm, 0.0) + w
    return out


def layout(
    nodes: Sequence[tuple[int, float]], cluster_of: dict[int, int], *, centre_gap: float = 1.0
) -> list[Placed]:
    """Positions for ``nodes`` given as (id, strength), strongest first.

    The clusters sit on a ring of radius ``centre_gap`` + their sizes, leaving
    the centre free for the owner.
    """
    members: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for node, strength in nodes:
        members[cluster_of.get(node, 0)].append((node, strength))
    count = len(members)
    placed: list[Placed] = []
    for c in sorted(members):
        people = sorted(members[c], key=lambda x: (-x[1], x[0]))
        spread = math.sqrt(len(people)) * 0.25
        if count == 1:
            cx = cy = 0.0
            spread += centre_gap
        else:
            angle = 2 * math.pi * c / count
            ring = centre_gap + spread + math.sqrt(len(nodes)) * 0.25
            cx, cy = ring * math.cos(angle), ring * math.sin(angle)
        for k, (node, _) in enumerate(people):
            r = spread * math.sqrt((k + 0.5) / len(people))
            placed.append(
                Placed(
                    node,
                    c,
                    cx + r * math.cos(k * GOLDEN_ANGLE),
                    cy + r * math.sin(k * GOLDEN_ANGLE),
                )
            )
    return placed
