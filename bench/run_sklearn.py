"""The peer of `fraudtree run --no-register --set tree.max_depth=10
--set resample.method=oversample FILE`: load, prepare, split 0.6/0.2/0.2
stratified, oversample the training split, fit a depth-10 tree, evaluate
on validation and test."""
import sys

import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, \
    recall_score, roc_auc_score

import sk_common


def main():
    df = pd.read_csv(sys.argv[1])
    m, x, y, va, te = sk_common.fit(df)
    for name, idx in (("validation", va), ("test", te)):
        p = m.predict_proba(x.iloc[idx])[:, 1]
        pred = (p >= 0.5).astype(int)
        print("%-10s accuracy %.4f  baseline %.4f  precision %.4f  recall %.4f  auc %.4f  cm %s" % (
            name, accuracy_score(y[idx], pred), 1 - y[idx].mean(),
            precision_score(y[idx], pred, zero_division=0), recall_score(y[idx], pred),
            roc_auc_score(y[idx], p), confusion_matrix(y[idx], pred).ravel().tolist()))


if __name__ == "__main__":
    main()
