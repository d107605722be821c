"""The command line: eval: predicting the next interactions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import click

from kith.cli.base import cli


@cli.command("eval")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--negatives",
    type=click.Choice(["random", "historical", "inductive"]),
    default="random",
    show_default=True,
    help="How each true interaction's negative is drawn (DyGLib's three ways).",
)
@click.option(
    "--model",
    "model_name",
    type=click.Choice(["kith", "edgebank"]),
    default="kith",
    show_default=True,
    help="kith's tie-feature model, or the EdgeBank baseline.",
)
@click.option(
    "--train-negatives",
    type=click.Choice(["random", "matching"]),
    default="random",
    show_default=True,
    help="kith's training negatives: random, as DyGLib trains every model (comparable "
    "with the published table), or matching the evaluated kind (not comparable).",
)
@click.option(
    "--memory",
    type=click.Choice(["unlimited", "window", "repeat-window", "threshold"]),
    default="unlimited",
    show_default=True,
    help="EdgeBank's memory (DyGLib's four): every pair seen, pairs seen in the last "
    "15% of history, in the mean repeat gap, or seen at least as often as the mean pair.",
)
@click.option(
    "--history",
    type=click.Choice(["event", "batch"]),
    default=None,
    help="What the model has seen when it scores an edge: every edge before that edge's "
    "time (event; how DyGLib's neighbour-sampling models read, kith's default) or every "
    "edge before its batch of 200 (batch; DyGLib's EdgeBank, EdgeBank's default).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: ap, auc (percent), ...")
@click.option("--explain", is_flag=True, help="Also print the fitted weight of each feature.")
@click.option(
    "--task",
    type=click.Choice(["next", "new-ties"]),
    default="next",
    show_default=True,
    help="next: the next interactions (DyGLib); new-ties: who begins talking (kith.connect).",
)
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="new-ties: precision at k.",
)
def eval_cmd(
    path: Path,
    negatives: str,
    model_name: str,
    train_negatives: str,
    memory: str,
    history: str | None,
    as_json: bool,
    explain: bool,
    task: str,
    k: int,
) -> None:
    """Predict the next interactions in PATH and print AP and AUC.

    PATH holds interactions in DyGLib's CSV layout (columns u, i, ts, as in
    ml_uci.csv) or as a 'src dst time' edge list. The DyGLib protocol is used:
    split at the 70% and 85% time quantiles, 10% of later nodes hidden from
    training, test edges in batches of 200, one negative each; AP and ROC-AUC
    averaged over batches. kith's model reads, for each edge, every edge
    before that edge's time, as DyGLib's neighbour-sampling models do;
    EdgeBank, as DyGLib runs it, the edges before each batch (--history).
    kith is trained on random negatives, as DyGLib trains every model; for
    DyGLib's ml_uci.csv the published results are printed beside (not with
    --train-negatives matching, which trains on the evaluated kind of
    negative and so is not comparable).

    \b
    Examples:
      kith eval ml_uci.csv
      kith eval ml_uci.csv --negatives historical --explain
      kith eval email-Eu-core-temporal-Dept1.txt --model edgebank --json
      kith eval ml_uci.csv --negatives historical --model edgebank --memory window
      kith eval ml_uci.csv --task new-ties --k 100 --json

    With --task new-ties, the new-link protocol (Liben-Nowell & Kleinberg):
    the past is the interactions before the 70% time quantile; the truth is
    the pairs who first interact after it; every pair two steps apart in the
    past is ranked by kith's suggestion score and by Adamic-Adar, Jaccard,
    common neighbours and a random order (precision at k and AP, percent).
    """
    _refuse_unused(model_name, task)
    if task == "new-ties":
        _new_ties(path, k, as_json)
        return
    from kith.evaluation.runner import run

    result, predictor = run(
        path,
        cast(Any, negatives),
        cast(Any, model_name),
        train_negatives=cast(Any, train_negatives),
        memory=cast(Any, memory),
        history=cast(Any, history),
    )
    weights = _eval_weights(predictor) if explain else None
    if as_json:
        data: dict[str, Any] = result.as_dict()
        if weights is not None:
            data["weights"] = {name: round(w, 4) for name, w, _ in weights}
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(
        f"{path.name}: {result.interactions:,} interactions; training {result.train:,} "
        f"({result.hidden:,} nodes hidden), validation {result.val:,}, "
        f"test {result.scored:,} in {result.batches} batches"
    )
    click.echo(
        f"{_run_label(result)}, {result.negatives} negatives: AP {result.ap:.2f}  "
        f"AUC {result.auc:.2f}  ({result.seconds:.1f} s)"
    )
    click.echo(f"History read for each edge: {_HISTORY_WORDS[result.history]}.")
    if result.train_negatives == "matching":
        click.echo(
            "Trained on negatives matching the evaluated kind: not comparable with DyGLib's "
            "published table (every DyGLib model is trained on random negatives only)."
        )
    else:
        _echo_published(path, result)
    if weights is not None:
        click.echo("")
        if not weights:
            click.echo("EdgeBank has no weights: 1 for a pair seen before, else 0.")
        else:
            click.echo("Weights (change in log-odds per standard deviation), largest first:")
            for name, weight, meaning in weights:
                click.echo(f"  {weight:+7.3f}  {name:<24} {meaning}")


def _new_ties(path: Path, k: int, as_json: bool) -> None:
    from kith.evaluation.data import read_interactions
    from kith.evaluation.newties import METHODS, run_new_ties

    result = run_new_ties(read_interactions(path), k)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(
        f"{path.name}: past {result.past:,} interactions, future {result.future:,}; "
        f"{result.candidates:,} pairs two steps apart, {result.positives:,} of them begin "
        f"talking ({result.new_pairs:,} new pairs in all)  ({result.seconds:.1f} s)"
    )
    click.echo(f"  {'method':<20} {'P@' + str(k):>7} {'AP':>7}")
    for method in METHODS:
        row = result.scores[method]
        click.echo(f"  {method:<20} {row['precision_at_k']:7.2f} {row['ap']:7.2f}")


#: What ``--history`` means, in the run's output.
_HISTORY_WORDS = {
    "event": "every edge before its own time (as DyGLib's neighbour sampler)",
    "batch": "every edge before its batch of 200 (as DyGLib's EdgeBank)",
}
#: Width of the model column of the published table.
_LABEL = 44


def _eval_weights(predictor: Any) -> list[tuple[str, float, str]]:
    from kith.evaluation.kith_model import KithPredictor
    from kith.relate.linkpred import FEATURES

    if not isinstance(predictor, KithPredictor) or predictor.model is None:
        return []
    meaning = {f.name: f.meaning for f in FEATURES}
    return [(n, w, meaning[n]) for n, w in predictor.model.explain()]


def _run_label(result: Any) -> str:
    """kith's run with its training negatives, EdgeBank's with its memory."""
    if result.memory is not None:
        return f"{result.model}, {result.memory} memory"
    if result.train_negatives is not None:
        return f"{result.model}, trained on {result.train_negatives} negatives"
    return str(result.model)


def _echo_published(path: Path, result: Any) -> None:
    from kith.evaluation.edgebank import DYGLIB_UCI_MEMORY
    from kith.evaluation.published import UCI_FILE_NAME, published_for

    if path.name != UCI_FILE_NAME:
        return
    rows: list[tuple[float, str]] = []
    for p in published_for(result.negatives):
        mark = "" if p.dyglib else " *"
        rows.append(
            (
                p.ap,
                f"  {p.model + mark:<{_LABEL}} {p.ap:6.2f} ± {p.ap_std:4.2f}  "
                f"{p.auc:6.2f} ± {p.auc_std:4.2f}",
            )
        )
    rows.append(
        (
            result.ap,
            f"→ {_run_label(result) + ' (this run)':<{_LABEL}} {result.ap:6.2f}         "
            f"{result.auc:6.2f}",
        )
    )
    click.echo("")
    click.echo(
        f"Published on UCI, transductive, {result.negatives} negatives "
        "(DyGLib, NeurIPS 2023; mean ± std of 5 runs):"
    )
    click.echo(f"  {'model':<{_LABEL}} {'AP':>6}         {'AUC':>6}")
    for _, line in sorted(rows, key=lambda r: -r[0]):
        click.echo(line)
    click.echo("  * not a DyGLib number: TPNet's (NeurIPS 2024) own runs or method")
    click.echo(
        "  DyGLib's EdgeBank row: the memory it tuned for this setting, "
        f"--model edgebank --memory {DYGLIB_UCI_MEMORY[result.negatives]}"
    )


#: The options each run reads: given where nothing reads them, they are refused.
_OWN_OPTIONS = {
    "memory": "--memory is EdgeBank's: add --model edgebank",
    "train_negatives": "--train-negatives is kith's model's: EdgeBank is not trained",
}


def _refuse_unused(model_name: str, task: str) -> None:
    """A usage error for an option the chosen run would ignore."""
    ctx = click.get_current_context()

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT

    if task == "new-ties":
        unused = [
            n
            for n in ("negatives", "model_name", "memory", "train_negatives", "history")
            if given(n)
        ]
        if unused:
            flags = ", ".join("--" + n.removesuffix("_name").replace("_", "-") for n in unused)
            raise click.UsageError(f"{flags}: not read by --task new-ties")
        return
    if given("k"):
        raise click.UsageError("--k is for --task new-ties")
    if model_name == "kith" and given("memory"):
        raise click.UsageError(_OWN_OPTIONS["memory"])
    if model_name == "edgebank" and given("train_negatives"):
        raise click.UsageError(_OWN_OPTIONS["train_negatives"])
