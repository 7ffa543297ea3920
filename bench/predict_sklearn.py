"""The peer of `fraudtree predict GROUP/VERSION FILE -o OUT.csv`.

  predict_sklearn.py fit FILE MODEL.pkl        train as run_sklearn.py does, without
                                               resampling (not timed)
  predict_sklearn.py predict MODEL.pkl FILE OUT.csv
                                               read raw rows, apply the fitted
                                               transforms, score, write the rows
                                               with their scores
"""
import pickle
import sys

import pandas as pd

import sk_common


def main():
    if sys.argv[1] == "fit":
        m = sk_common.fit(pd.read_csv(sys.argv[2]), resample=False)[0]
        with open(sys.argv[3], "wb") as f:
            pickle.dump(m, f)
    else:
        with open(sys.argv[2], "rb") as f:
            m = pickle.load(f)
        df = pd.read_csv(sys.argv[3])
        p = m.predict_proba(sk_common.features(df))[:, 1]
        df["fraud_probability"] = p
        df["prediction"] = (p >= 0.5).astype(int)
        df.to_csv(sys.argv[4], index=False)


if __name__ == "__main__":
    main()
