"""The network map's shape: clusters of people who know each other, and a
first layout that keeps each cluster together.

Pure functions of the ties and a seed. Clusters come from label propagation
(Raghavan, Albert & Kumara 2007): each person takes the label most of their
ties carry, weighted by tie strength, until nothing changes — linear in the
ties, so a 10,000-person map is clustered in well under a second. The layout
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

#: Label propagation stops after this many sweeps even if labels still move.
MAX_SWEEPS = 20
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
    """node → cluster number (0 is the largest cluster, 1 the next …)."""
    neighbours: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for a, b, w in edges:
        neighbours[a].append((b, w))
        neighbours[b].append((a, w))
    label = {n: n for n in nodes}
    order = list(nodes)
    rng = random.Random(seed)
    for _ in range(MAX_SWEEPS):
        rng.shuffle(order)
        changed = 0
        for n in order:
            near = neighbours.get(n)
            if not near:
                continue
            weight: dict[int, float] = defaultdict(float)
            for m, w in near:
                if m in label:
                    weight[label[m]] += w
            if not weight:
                continue
            best = max(weight.items(), key=lambda kv: (kv[1], -kv[0]))[0]
            if best != label[n]:
                label[n] = best
                changed += 1
        if not changed:
            break
    sizes: dict[int, int] = defaultdict(int)
    for lab in label.values():
        sizes[lab] += 1
    numbered = {lab: i for i, lab in enumerate(sorted(sizes, key=lambda x: (-sizes[x], x)))}
    return {n: numbered[label[n]] for n in nodes}


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
