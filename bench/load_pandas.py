"""The peer of `fraudtree describe --json`: read the CSV into typed
columns and compute the same kind of per-column statistics."""
import sys

import pandas as pd


def main():
    df = pd.read_csv(sys.argv[1])
    stats = df.describe(include="all")
    # class balance of the label, as describe reports it
    balance = df["isFraud"].value_counts()
    # keep the work from being optimised away
    print(len(df), stats.shape, int(balance.sum()))


if __name__ == "__main__":
    main()
