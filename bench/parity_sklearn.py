#!/usr/bin/env python3
"""The scikit-learn side of the accuracy parity benchmark (bench-parity.sh).

Reads the directory bench/parity_export wrote (train.csv, test.csv,
params.txt, proba.txt), fits sklearn.tree.DecisionTreeClassifier with the
same parameters on the very same training matrix, scores the same test
matrix at the same threshold, and compares with fraudtree's figures (the
key=value line parity_export printed, passed as --ours).

Prints a few readable lines, then one line starting with "figures " of
key=value pairs for the calling script. Exit status 0 when accuracy and
recall both differ by at most --limit points, 1 otherwise.
"""
import argparse
import os
import sys
import time

import numpy as np
import pandas as pd


def read_params(path):
    params = {}
    with open(path) as fp:
        for line in fp:
            key, _, value = line.strip().partition("=")
            if key:
                params[key] = value
    return params


def read_matrix(path):
    df = pd.read_csv(path, float_precision="round_trip")
    y = df.pop("__label").to_numpy(dtype=np.uint8)
    w = df.pop("__weight").to_numpy(dtype=np.float64) if "__weight" in df.columns else None
    # The export holds float32 values exactly; the tree works in float32.
    return df.to_numpy(dtype=np.float32), y, w


def class_weights(y, w):
    """The per-class weights class_weight resampling gave the rows."""
    weights = {}
    for c in (0, 1):
        wc = np.unique(w[y == c])
        if wc.size > 1:
            sys.exit("parity_sklearn: class %d rows carry %d different weights" % (c, wc.size))
        if wc.size:
            weights[c] = float(wc[0])
    return weights


def parse_pairs(text):
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="directory written by parity_export")
    ap.add_argument("--ours", required=True, help="parity_export's key=value line")
    ap.add_argument("--limit", type=float, default=1.5, help="points (default 1.5)")
    ap.add_argument("--seed", type=int, default=0, help="random_state")
    args = ap.parse_args()

    from sklearn.metrics import accuracy_score, recall_score
    from sklearn.tree import DecisionTreeClassifier

    p = read_params(os.path.join(args.dir, "params.txt"))
    X, y, w = read_matrix(os.path.join(args.dir, "train.csv"))
    Xt, yt, _ = read_matrix(os.path.join(args.dir, "test.csv"))
    ours_proba = np.loadtxt(os.path.join(args.dir, "proba.txt"), ndmin=1)
    ours = parse_pairs(args.ours)
    threshold = float(p["threshold"])

    depth = int(p["max_depth"])
    leaves = int(p["max_leaf_nodes"])
    clf = DecisionTreeClassifier(
        criterion=p["criterion"],
        max_depth=depth if depth > 0 else None,
        min_samples_split=int(p["min_samples_split"]),
        min_samples_leaf=int(p["min_samples_leaf"]),
        min_impurity_decrease=float(p["min_impurity_decrease"]),
        max_leaf_nodes=leaves if leaves > 0 else None,
        ccp_alpha=float(p["ccp_alpha"]),
        class_weight=class_weights(y, w) if p["resample"] == "class_weight" else None,
        random_state=args.seed)
    t0 = time.perf_counter()
    clf.fit(X, y)
    fit_s = time.perf_counter() - t0

    proba = clf.predict_proba(Xt)
    # A single-class training set gives one column.
    pos = list(clf.classes_).index(1) if 1 in clf.classes_ else None
    proba = proba[:, pos] if pos is not None else np.zeros(len(yt))
    pred = (proba >= threshold).astype(np.uint8)
    ours_pred = (ours_proba >= threshold).astype(np.uint8)
    sk_acc = accuracy_score(yt, pred)
    sk_rec = recall_score(yt, pred, zero_division=0)
    acc, rec = float(ours["accuracy"]), float(ours["recall"])
    d_acc, d_rec = 100 * abs(acc - sk_acc), 100 * abs(rec - sk_rec)
    agree = float(np.mean(pred == ours_pred)) if len(yt) else 1.0
    ok = d_acc <= args.limit and d_rec <= args.limit

    print("  train %s rows (%s fraud), test %s rows, %s features" % (
        ours["train_rows"], ours["train_positives"], ours["test_rows"], ours["features"]))
    print("  fraudtree:    accuracy %.4f  recall %.4f  fit %7.3f s  %5s nodes  depth %s" % (
        acc, rec, float(ours["fit_seconds"]), ours["nodes"], ours["depth"]))
    print("  scikit-learn: accuracy %.4f  recall %.4f  fit %7.3f s  %5d nodes  depth %d" % (
        sk_acc, sk_rec, fit_s, clf.tree_.node_count, clf.get_depth()))
    print("  |difference|: accuracy %.2f points, recall %.2f points (limit %g): %s;"
          " same test prediction on %.2f%% of rows" % (
              d_acc, d_rec, args.limit, "PASS" if ok else "FAIL", 100 * agree))
    print("figures sk_accuracy=%.6f sk_recall=%.6f sk_fit_seconds=%.3f sk_nodes=%d "
          "sk_depth=%d d_accuracy=%.2f d_recall=%.2f agree=%.4f verdict=%s" % (
              sk_acc, sk_rec, fit_s, clf.tree_.node_count, clf.get_depth(),
              d_acc, d_rec, agree, "PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
