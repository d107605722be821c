"""The network map's clusters and layout (kith.network_map), on small graphs."""

from __future__ import annotations

from kith.network_map import clusters, layout


def test_two_groups_joined_by_one_weak_tie_are_two_clusters():
    group_a = [1, 2, 3, 4]
    group_b = [5, 6, 7, 8]
    edges = [(a, b, 3.0) for g in (group_a, group_b) for a in g for b in g if a < b]
    edges.append((4, 5, 0.2))
    found = clusters([*group_a, *group_b], edges)
    assert len({found[n] for n in group_a}) == 1
    assert len({found[n] for n in group_b}) == 1
    assert found[1] != found[5]


def test_people_without_ties_share_the_last_cluster():
    edges = [(1, 2, 1.0), (2, 3, 1.0), (1, 3, 1.0)]
    found = clusters([1, 2, 3, 10, 11], edges)
    assert found[1] == found[2] == found[3] == 0
    assert found[10] == found[11] == 1


def test_clusters_are_the_same_on_every_run():
    edges = [(a, b, 1.0 + (a * b) % 3) for a in range(30) for b in range(a + 1, 30) if (a + b) % 4]
    assert clusters(list(range(30)), edges, seed=3) == clusters(list(range(30)), edges, seed=3)


def test_layout_places_everyone_once_and_keeps_the_centre_free():
    nodes = [(n, float(10 - n)) for n in range(10)]
    cluster_of = {n: n % 2 for n in range(10)}
    placed = layout(nodes, cluster_of)
    assert sorted(p.id for p in placed) == list(range(10))
    assert all((p.x**2 + p.y**2) ** 0.5 > 0.5 for p in placed)
