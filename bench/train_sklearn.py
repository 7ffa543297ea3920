#!/usr/bin/env python3
"""Synthetic fraud matrix for the training benchmark, and the scikit-learn
side of it.

Writes TRAIN.bin (oversampled, like a resampled training split) and TEST.bin
(untouched) in the format bench/train_bench.c reads: uint64 n, uint64
nfeatures, float32 column-major matrix, uint8 labels. Then, unless --no-fit,
times DecisionTreeClassifier.fit on the very same float32 matrix and prints
one line of key=value pairs, like train_bench.
"""
import argparse
import os
import sys
import time

import numpy as np


def generate(rows, seed):
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.5, 1.2, rows)
    hour = rng.integers(0, 24, rows)
    dow = rng.integers(0, 7, rows)
    card = rng.choice(4, rows, p=[0.55, 0.3, 0.1, 0.05])
    merchant = rng.zipf(1.6, rows) % 40
    merchant_freq = np.bincount(merchant, minlength=40)[merchant].astype(float)
    distance = rng.exponential(20.0, rows)
    velocity = rng.poisson(1.5, rows)
    age_days = rng.integers(0, 3650, rows)
    foreign = (rng.random(rows) < 0.08).astype(float)
    noise = rng.normal(0.0, 1.0, (rows, 7))
    z = (-5.2 + 0.9 * (np.log(amount) > 5.5) + 1.1 * ((hour < 5) | (hour > 22))
         + 0.6 * (card == 3) + 0.02 * distance + 0.45 * velocity
         - 0.0004 * age_days + 1.3 * foreign * (amount > 150)
         + 0.25 * noise[:, 0])
    y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-z))).astype(np.uint8)
    cols = [amount, hour, dow, card == 0, card == 1, card == 2, card == 3,
            merchant_freq, distance, velocity, age_days, foreign]
    cols += [noise[:, k] for k in range(noise.shape[1])]
    cols.append(np.round(amount, 0) % 7)
    X = np.column_stack([np.asarray(c, dtype=np.float32) for c in cols])
    return X, y


def oversample(X, y, ratio, seed):
    """Random oversampling of the positives to ratio * negatives (at most
    doubling nothing else), like resample.method=oversample."""
    rng = np.random.default_rng(seed + 1)
    pos = np.flatnonzero(y == 1)
    want = int(ratio * np.count_nonzero(y == 0)) - pos.size
    if want <= 0 or pos.size == 0:
        return X, y
    extra = rng.choice(pos, want, replace=True)
    idx = np.concatenate([np.arange(y.size), extra])
    return X[idx], y[idx]


def write(path, X, y):
    with open(path, "wb") as fp:
        fp.write(np.array([X.shape[0], X.shape[1]], dtype="<u8").tobytes())
        fp.write(np.asfortranarray(X, dtype="<f4").tobytes(order="F"))
        fp.write(y.astype(np.uint8).tobytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--test-rows", type=int, default=200000)
    ap.add_argument("--ratio", type=float, default=0.2,
                    help="positives / negatives after oversampling")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-depth", type=int, default=10)
    ap.add_argument("--criterion", default="gini")
    ap.add_argument("--out", required=True, help="directory for TRAIN.bin, TEST.bin")
    ap.add_argument("--no-fit", action="store_true")
    args = ap.parse_args()

    X, y = generate(args.rows, args.seed)
    X, y = oversample(X, y, args.ratio, args.seed)
    Xt, yt = generate(args.test_rows, args.seed + 1000)
    os.makedirs(args.out, exist_ok=True)
    write(os.path.join(args.out, "train.bin"), X, y)
    write(os.path.join(args.out, "test.bin"), Xt, yt)
    print(f"rows={X.shape[0]} features={X.shape[1]} positives={int(y.sum())}",
          file=sys.stderr)
    if args.no_fit:
        return

    from sklearn.metrics import accuracy_score, recall_score
    from sklearn.tree import DecisionTreeClassifier
    clf = DecisionTreeClassifier(criterion=args.criterion, max_depth=args.max_depth,
                                 random_state=0)
    t0 = time.perf_counter()
    clf.fit(X, y)
    t1 = time.perf_counter()
    pred = (clf.predict_proba(Xt)[:, 1] >= 0.5).astype(np.uint8)
    print(f"fit_seconds={t1 - t0:.3f} nodes={clf.tree_.node_count} "
          f"depth={clf.get_depth()} accuracy={accuracy_score(yt, pred):.5f} "
          f"recall={recall_score(yt, pred, zero_division=0):.5f}")


if __name__ == "__main__":
    main()
