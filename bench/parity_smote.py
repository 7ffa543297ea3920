#!/usr/bin/env python3
"""The imbalanced-learn side of the SMOTE-NC parity benchmark (bench-smote.sh).

Reads the directory bench/parity_export wrote with resample.method=smote
(before.csv: the training matrix before resampling; train.csv: after it;
groups.txt: how SMOTE-NC took each feature, "numeric" or the categorical
column it encodes; params.txt) and checks fraudtree's synthetic rows:

  counts      the real rows come back unchanged and first; the class counts
              after resampling equal imblearn.over_sampling.SMOTENC's on the
              same matrix with the same target (and what SMOTENC's float
              sampling_strategy would give is shown: it truncates where
              fraudtree rounds);
  segment     every synthetic row's numeric part lies on the segment from a
              seed row a to one of a's k = 5 nearest minority neighbours b:
              the continuous features at a + u (b - a) with one u in [0, 1],
              the integer-valued ones whole and between a's and b's values;
  categorical every categorical column of every synthetic row holds a value
              one of those neighbours of a holds (and, counted apart, the
              most frequent one, ties to the smallest, as fraudtree votes).

The neighbours are found with fraudtree's SMOTE-NC distance (numeric
features standardised by the training split's standard deviation; a
differing categorical column adds the square of the median of the
minority rows' standardised standard deviations, split over a one-hot
column's two differing features), in float32 as fraudtree computes it, a
neighbour within 1e-5 (relative) of the k-th distance counting as one.
imbalanced-learn's output is checked for the segment with its seed among
any minority rows (its neighbours come from its own distance) and for
categorical values seen among the minority rows, as a baseline.

Prints readable lines, then "figures " key=value pairs. Exit status 1 when
a check fails.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_sklearn import read_matrix, read_params  # noqa: E402

K = 5


def collapse(X, groups):
    """Numeric features as they are, then one code per categorical column
    (one-hot: the place of the feature that is 1, or the column's size when
    none is; else the value itself). Returns (matrix, numeric feature
    indices, list of feature index lists per group)."""
    num = [f for f, g in enumerate(groups) if g is None]
    ids = []
    for g in groups:
        if g is not None and g not in ids:
            ids.append(g)
    members = [[f for f, h in enumerate(groups) if h == g] for g in ids]
    cols = [X[:, num]]
    for m in members:
        if len(m) == 1:
            cols.append(X[:, m[0]:m[0] + 1])
        else:
            block = X[:, m] != 0
            code = np.where(block.any(axis=1), block.argmax(axis=1), len(m))
            cols.append(code.reshape(-1, 1).astype(np.float32))
    return np.hstack(cols).astype(np.float32), num, members


def knn(X0, y0, minority, num, members, integral):
    """Each minority row's neighbour candidates (indices into the minority
    rows) under fraudtree's SMOTE-NC distance: the k nearest, and every row
    within 1e-5 of the k-th distance."""
    n = len(y0)
    scale = np.zeros(X0.shape[1])
    for f in num:
        sd = float(np.sqrt(np.mean((X0[:, f].astype(np.float64) - X0[:, f].mean()) ** 2)))
        scale[f] = 1.0 / sd if sd > 0 else 0.0
    mins = np.flatnonzero(y0 == minority)
    Z = X0[mins]
    med = 1.0
    if members:
        sds = [float(np.std(Z[:, f].astype(np.float64) * scale[f])) for f in num if scale[f]]
        if sds:
            med = float(np.median(sds))
    miss = np.zeros(X0.shape[1], dtype=np.float32)
    for m in members:
        for f in m:
            miss[f] = np.float32(med * med / (2.0 if len(m) > 1 else 1.0))
    S = np.empty_like(Z, dtype=np.float32)
    for f in range(X0.shape[1]):
        S[:, f] = (Z[:, f] * (1.0 if miss[f] else scale[f])).astype(np.float32)
    cand = []
    for i in range(len(mins)):
        d = np.zeros(len(mins), dtype=np.float32)
        for f in range(S.shape[1]):
            if miss[f]:
                d += np.where(S[:, f] != S[i, f], miss[f], np.float32(0))
            else:
                diff = S[:, f] - S[i, f]
                d += diff * diff
        d[i] = np.inf
        kth = np.partition(d, min(K, len(d) - 1) - 1)[min(K, len(d) - 1) - 1]
        cand.append(np.flatnonzero(d <= kth * (1 + 1e-5) + 1e-30))
    return mins, cand


def on_segment(s, A, B, cont, ints):
    """Per pair (rows of A, B): is s = a + u (b - a) on the continuous
    features with one u in [0, 1], and between a and b, whole, on the
    integer-valued ones? Each continuous feature pins u to within its
    float32 rounding (a few units in the last place of the values, over
    the feature's span); the pins must overlap."""
    ok = np.ones(len(A), dtype=bool)
    lo = np.zeros(len(A))
    hi = np.ones(len(A))
    ulp = 2.0 ** -23
    for f in cont:
        a, b, x = A[:, f].astype(np.float64), B[:, f].astype(np.float64), float(s[f])
        span = b - a
        err = 4 * ulp * np.maximum(np.maximum(np.abs(a), np.abs(b)), abs(x)) + 1e-30
        flat = np.abs(span) <= err
        ok &= ~flat | (np.abs(x - a) <= err)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (x - a) / span
            du = err / np.abs(span)
            lo = np.where(flat, lo, np.maximum(lo, u - du))
            hi = np.where(flat, hi, np.minimum(hi, u + du))
    ok &= lo <= hi
    for f in ints:
        a, b, x = A[:, f], B[:, f], float(s[f])
        ok &= (x == np.floor(x)) & (x >= np.minimum(a, b)) & (x <= np.maximum(a, b))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="directory written by parity_export with resample.method=smote")
    args = ap.parse_args()
    from imblearn.over_sampling import SMOTENC

    p = read_params(os.path.join(args.dir, "params.txt"))
    X0, y0, _ = read_matrix(os.path.join(args.dir, "before.csv"))
    X1, y1, _ = read_matrix(os.path.join(args.dir, "train.csv"))
    with open(os.path.join(args.dir, "groups.txt")) as fp:
        groups = [None if line.strip() == "numeric" else int(line) for line in fp]
    n0 = len(y0)
    minority = 1 if (y0 == 1).sum() <= (y0 == 0).sum() else 0
    ratio = float(p.get("resample_ratio", "nan"))
    real_same = X1.shape[0] >= n0 and np.array_equal(X1[:n0], X0) and np.array_equal(y1[:n0], y0)
    syn, ysyn = X1[n0:], y1[n0:]
    counts = [int((y1 == 0).sum()), int((y1 == 1).sum())]

    num = [f for f, g in enumerate(groups) if g is None]
    ids = []
    for g in groups:
        if g is not None and g not in ids:
            ids.append(g)
    members = [[f for f, h in enumerate(groups) if h == g] for g in ids]
    integral = {f for f in num if np.all(X0[:, f] == np.floor(X0[:, f]))}
    cont = [f for f in num if f not in integral]
    ints = [f for f in num if f in integral]

    # imbalanced-learn on the same matrix, categorical columns as codes
    C0, cnum, cmembers = collapse(X0, groups)
    cat_idx = list(range(len(cnum), C0.shape[1]))
    target = counts[minority]
    t0 = time.perf_counter()
    sm = SMOTENC(categorical_features=cat_idx, k_neighbors=K,
                 sampling_strategy={minority: target}, random_state=int(p.get("seed", 42)))
    Ci, yi = sm.fit_resample(C0, y0)
    imb_s = time.perf_counter() - t0
    imb_counts = [int((yi == 0).sum()), int((yi == 1).sum())]
    nmaj = int((y0 != minority).sum())
    float_target = int(nmaj * ratio - (y0 == minority).sum()) + int((y0 == minority).sum()) \
        if ratio == ratio else None

    # fraudtree's synthetic rows against its own neighbours
    mins, cand = knn(X0, y0, minority, num, members, integral)
    Z = X0[mins]
    C1, _, _ = collapse(X1, groups)
    Zc = C0[mins]
    ncat = len(cmembers)
    seg_bad, cat_bad, vote_bad, vote_checked = 0, 0, 0, 0
    pairs_a = np.concatenate([np.full(len(c), i) for i, c in enumerate(cand)])
    pairs_b = np.concatenate(cand)
    A, B = Z[pairs_a], Z[pairs_b]
    for r in range(len(syn)):
        s = syn[r]
        ok = on_segment(s, A, B, cont, ints)
        if not ok.any():
            seg_bad += 1
            continue
        code = C1[n0 + r, len(cnum):]
        seeds = np.unique(pairs_a[ok])
        from_nb = vote_ok = False
        exact = all(len(cand[a]) == K for a in seeds)
        for a in seeds:
            nb = Zc[cand[a], len(cnum):]
            if all(code[g] in nb[:, g] for g in range(ncat)):
                from_nb = True
            votes = []
            for g in range(ncat):
                vals, cnt = np.unique(nb[:K, g], return_counts=True)
                votes.append(vals[np.flatnonzero(cnt == cnt.max())[0]])
            if all(code[g] == votes[g] for g in range(ncat)):
                vote_ok = True
        cat_bad += not from_nb
        # the vote is only defined by the distance when no tie at the 5th
        # neighbour leaves the neighbours open
        vote_checked += exact
        vote_bad += exact and not vote_ok
    labels_ok = bool(np.all(ysyn == minority))

    # imbalanced-learn's rows: a segment between some two minority rows,
    # categorical codes seen among the minority rows
    isyn = Ci[n0:]
    ia = np.repeat(np.arange(len(mins)), len(mins))
    ib = np.tile(np.arange(len(mins)), len(mins))
    cc = [j for j, f in enumerate(cnum) if f not in integral]
    ci = [j for j, f in enumerate(cnum) if f in integral]
    ZA, ZB = Zc[ia], Zc[ib]
    imb_seg_bad = imb_cat_bad = imb_frac = 0
    limit = min(len(isyn), 300)
    for r in range(limit):
        s = isyn[r]
        # SMOTENC interpolates integer-valued features too: all continuous here
        if not on_segment(s, ZA, ZB, cc + ci, []).any():
            imb_seg_bad += 1
        imb_frac += any(s[j] != np.floor(s[j]) for j in ci)
        for g in range(ncat):
            if s[len(cnum) + g] not in Zc[:, len(cnum) + g]:
                imb_cat_bad += 1
                break

    ok = real_same and labels_ok and counts == imb_counts and seg_bad == 0 and cat_bad == 0
    print("  before: %d rows (%d minority), %d features: %d continuous, %d integer-valued,"
          " %d categorical columns" % (n0, int((y0 == minority).sum()), X0.shape[1], len(cont),
                                       len(ints), ncat))
    print("  counts after: fraudtree %s, imbalanced-learn SMOTENC %s (%s); real rows kept"
          " first and unchanged: %s" % (counts, imb_counts,
                                       "equal" if counts == imb_counts else "DIFFERENT",
                                       "yes" if real_same else "NO"))
    if float_target is not None:
        print("  resample.ratio %g: fraudtree round(ratio x majority) = %d minority rows,"
              " SMOTENC's float sampling_strategy would give %d" % (
                  ratio, counts[minority], float_target))
    print("  fraudtree's %d synthetic rows: numeric part on a segment seed -> neighbour:"
          " %d off; categorical values from the seed's neighbours: %d not; the"
          " neighbours' vote (%d rows whose seed has no tie at the 5th neighbour): %d not" % (
              len(syn), seg_bad, cat_bad, vote_checked, vote_bad))
    print("  imbalanced-learn's first %d synthetic rows (baseline): on a segment between"
          " two minority rows: %d off; categorical values seen among minority rows: %d not;"
          " an integer-valued feature made fractional: %d rows" % (
              limit, imb_seg_bad, imb_cat_bad, imb_frac))
    print("  verdict: %s" % ("PASS" if ok else "FAIL"))
    print("figures verdict=%s synthetic=%d segment_off=%d categorical_off=%d vote_off=%d "
          "counts_equal=%s imb_seconds=%.4f imb_segment_off=%d imb_categorical_off=%d "
          "imb_fractional=%d" % (
              "PASS" if ok else "FAIL", len(syn), seg_bad, cat_bad, vote_bad,
              "yes" if counts == imb_counts else "no", imb_s, imb_seg_bad, imb_cat_bad,
              imb_frac))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
