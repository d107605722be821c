"""Published results on UCI, printed beside kith's own (``kith eval``).

DyGLib (Yu et al., "Towards Better Dynamic Graph Learning: New Architecture
and Unified Library", NeurIPS 2023), transductive setting, mean and standard
deviation over 5 runs, as reprinted in TPNet (NeurIPS 2024) Tables 1/7/9 —
copied from ``shared/data/published/dyglib-uci-transductive.csv`` (a test
checks that they agree). NAT and PINT are TPNet's own runs, TPNet its own
method: not DyGLib numbers, marked so.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The file name DyGLib gives its processed UCI data.
UCI_FILE_NAME = "ml_uci.csv"


@dataclass(frozen=True)
class Published:
    """One model's published AP and AUC (percent, mean ± std over runs) for one setting."""

    negatives: str
    model: str
    ap: float
    ap_std: float
    auc: float
    auc_std: float
    dyglib: bool


UCI_TRANSDUCTIVE: tuple[Published, ...] = (
    Published("random", "JODIE", 89.43, 1.09, 90.44, 0.49, True),
    Published("random", "DyRep", 65.14, 2.30, 68.77, 2.34, True),
    Published("random", "TGAT", 79.63, 0.70, 78.53, 0.74, True),
    Published("random", "TGN", 92.34, 1.04, 92.03, 1.13, True),
    Published("random", "CAWN", 95.18, 0.06, 93.87, 0.08, True),
    Published("random", "EdgeBank", 76.20, 0.00, 77.30, 0.00, True),
    Published("random", "TCL", 89.57, 1.63, 87.82, 1.36, True),
    Published("random", "GraphMixer", 93.25, 0.57, 91.81, 0.67, True),
    Published("random", "NAT", 93.40, 0.26, 92.31, 0.37, False),
    Published("random", "PINT", 96.45, 0.11, 95.57, 0.16, False),
    Published("random", "DyGFormer", 95.79, 0.17, 94.49, 0.26, True),
    Published("random", "TPNet", 97.35, 0.04, 96.79, 0.05, False),
    Published("historical", "JODIE", 75.24, 5.80, 78.64, 3.50, True),
    Published("historical", "DyRep", 55.10, 3.14, 57.91, 3.12, True),
    Published("historical", "TGAT", 68.27, 1.37, 58.89, 1.57, True),
    Published("historical", "TGN", 80.43, 2.12, 77.25, 2.68, True),
    Published("historical", "CAWN", 65.30, 0.43, 57.86, 0.15, True),
    Published("historical", "EdgeBank", 65.50, 0.00, 69.56, 0.00, True),
    Published("historical", "TCL", 80.25, 2.74, 72.25, 3.46, True),
    Published("historical", "GraphMixer", 84.11, 1.35, 77.54, 2.02, True),
    Published("historical", "NAT", 75.38, 1.28, 71.52, 1.61, False),
    Published("historical", "PINT", 93.96, 0.20, 92.05, 0.36, False),
    Published("historical", "DyGFormer", 82.17, 0.82, 76.97, 0.24, True),
    Published("historical", "TPNet", 86.34, 0.80, 80.42, 0.64, False),
    Published("inductive", "JODIE", 65.99, 1.40, 64.14, 1.26, True),
    Published("inductive", "DyRep", 54.79, 1.76, 54.25, 2.01, True),
    Published("inductive", "TGAT", 68.67, 0.84, 60.80, 1.01, True),
    Published("inductive", "TGN", 70.94, 0.71, 64.11, 1.04, True),
    Published("inductive", "CAWN", 64.61, 0.48, 58.06, 0.26, True),
    Published("inductive", "EdgeBank", 57.43, 0.00, 58.03, 0.00, True),
    Published("inductive", "TCL", 76.01, 1.11, 70.05, 1.86, True),
    Published("inductive", "GraphMixer", 80.10, 0.51, 74.59, 0.74, True),
    Published("inductive", "NAT", 57.55, 0.81, 49.73, 1.20, False),
    Published("inductive", "PINT", 83.61, 0.23, 79.42, 0.31, False),
    Published("inductive", "DyGFormer", 72.25, 1.71, 65.96, 1.18, True),
    Published("inductive", "TPNet", 77.26, 1.57, 70.85, 0.96, False),
)


def published_for(negatives: str) -> list[Published]:
    """The published rows for one negative sampling, in the table's order."""
    return [p for p in UCI_TRANSDUCTIVE if p.negatives == negatives]
