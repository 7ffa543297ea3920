"""The peer of `fraudtree drift MODEL.json FILE --json`.

  drift_pandas.py fit FILE PEER.pkl
      train the tree of predict_sklearn.py (no resampling) and keep the
      shares of its scores on the training split (not timed)
  drift_pandas.py measure MODEL.json PEER.pkl FILE OUT.json
      read FILE with pandas; bin every input of MODEL.json's reference as
      fraudtree does (a number x in bin k when e[k-1] < x <= e[k]; a
      category in its own bin, "other", unseen (never in the training
      split) or missing); score the rows with the tree and bin the scores;
      the population stability index of each against the training
      shares, every share raised to at least 1e-4. Writes
      {"columns": {name: psi}, "score": psi} to OUT.json.
"""
import json
import pickle
import sys

import numpy as np
import pandas as pd

import sk_common

EPSILON = 1e-4


def psi(expected, actual):
    e = np.maximum(np.asarray(expected, dtype=float), EPSILON)
    a = np.maximum(np.asarray(actual, dtype=float), EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def numbers(s, is_datetime):
    if is_datetime:
        t = pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        v = t.astype("int64").astype(float) / 1e9
        v[t.isna()] = np.nan
        return v.to_numpy()
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def column_psi(ref, kind, levels, s, n):
    if ref["kind"] == "bins":
        edges = np.asarray(ref["edges"], dtype=float)
        v = numbers(s, kind == "datetime")
        present = ~np.isnan(v)
        counts = np.bincount(np.searchsorted(edges, v[present], side="left"),
                             minlength=len(edges) + 1)
        actual = list(counts / n) + [(n - present.sum()) / n]
        expected = list(ref["shares"]) + [ref["missing"]]
    else:
        missing = s.isna()
        counts = s[~missing].astype(str).value_counts()
        listed = [counts.get(c, 0) / n for c in ref["categories"]]
        # categories the training split never had: a bin of share 0 there
        unseen = counts[~counts.index.isin(levels)].sum() / n
        other = ((~missing).sum() - sum(counts.get(c, 0) for c in ref["categories"])) / n - unseen
        actual = listed + [other, missing.sum() / n, unseen]
        expected = list(ref["shares"]) + [ref["other"], ref["missing"], 0]
    return psi(expected, actual)


def score_shares(values, scores):
    """Shares of scores per reference value, then of any other score."""
    idx = np.searchsorted(values, scores)
    idx = np.minimum(idx, len(values) - 1)
    known = values[idx] == scores
    counts = np.bincount(idx[known], minlength=len(values))
    return list(counts / len(scores)) + [(~known).sum() / len(scores)]


def main():
    if sys.argv[1] == "fit":
        m, x, y, va, te = sk_common.fit(pd.read_csv(sys.argv[2]), resample=False)
        train = np.setdiff1d(np.arange(len(y)), np.concatenate([va, te]))
        scores = m.predict_proba(x.iloc[train])[:, 1]
        values = np.unique(scores)
        with open(sys.argv[3], "wb") as f:
            pickle.dump((m, values, score_shares(values, scores)), f)
        return
    with open(sys.argv[2]) as f:
        model = json.load(f)
    reference = model["reference"]
    kind = {i["name"]: i["type"] for i in model["recipe"]["inputs"]}
    levels = {i["name"]: i.get("levels", []) for i in model["recipe"]["inputs"]}
    with open(sys.argv[3], "rb") as f:
        m, values, shares = pickle.load(f)
    # categories as the text they are ("3", not 3.0 beside a missing cell)
    df = pd.read_csv(sys.argv[4], dtype={c: str for c, k in kind.items() if k == "categorical"})
    n = len(df)
    out = {"columns": {}, "score": None}
    for ref in reference["columns"]:
        if ref["name"] in df.columns:
            out["columns"][ref["name"]] = column_psi(ref, kind[ref["name"]], levels[ref["name"]],
                                                  df[ref["name"]], n)
    scores = m.predict_proba(sk_common.features(df))[:, 1]
    out["score"] = psi(list(shares), score_shares(values, scores))
    with open(sys.argv[5], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
