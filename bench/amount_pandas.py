"""amount_pandas.py: the money and alert-rate figures of fraudtree, computed
again with pandas from the rows amount_export wrote, and compared.

Usage: amount_pandas.py ROWS.csv 'key=value ...' (amount_export's line)
Prints one line per figure (ours, pandas, |difference|) and a final
"figures" line with the pandas seconds; exits 1 when a figure differs by
more than 1e-9 relative to the larger magnitude (1e-9 absolute near 0)."""
import sys
import time

import pandas as pd


def figures(df, thr, c_alert, c_missed, c_caught, rate, unit):
    amount = pd.Series(1.0, index=df.index) if unit else df["amount"].fillna(0.0)
    fraud = df["label"] == 1
    flagged = df["score"] >= thr
    alerts = int(flagged.sum())
    total = float(amount[fraud].sum())
    caught = float(amount[fraud & flagged].sum())
    missed = total - caught
    cost = c_alert * alerts + c_missed * missed + c_caught * caught
    # top k rows by score; the tied block at the cut taken in expectation
    k = int(rate * len(df) + 0.5)
    k = min(k, len(df))
    blocks = df.groupby("score")["label"].agg(["size", "sum"]).sort_index(ascending=False)
    before = blocks["size"].cumsum() - blocks["size"]
    take = (k - before).clip(lower=0).clip(upper=blocks["size"])
    expected = float((take * blocks["sum"] / blocks["size"]).sum())
    positives = int(fraud.sum())
    return {
        "amount_caught": caught,
        "amount_missed": missed,
        "amount_recall": caught / total if total else 0.0,
        "alerts": alerts,
        "alert_rate": alerts / len(df) if len(df) else 0.0,
        "net_savings": c_missed * total - cost,
        "cost": cost,
        "precision_at_alert_rate": expected / k if k else 0.0,
        "recall_at_alert_rate": expected / positives if positives else 0.0,
    }


def main():
    rows, line = sys.argv[1], sys.argv[2]
    ours = dict(kv.split("=", 1) for kv in line.split())
    # round_trip: the C parser's default reading is not exact, and a score
    # one ulp off the threshold would change sides
    df = pd.read_csv(rows, dtype={"label": "int64", "score": "float64", "amount": "float64"},
                     float_precision="round_trip")
    args = (float(ours["threshold"]), float(ours["cost_alert"]), float(ours["cost_missed"]),
            float(ours["cost_caught"]), float(ours["alert_rate_setting"]), ours["unit"] == "1")
    t0 = time.perf_counter()
    repeat = 5
    for _ in range(repeat):
        theirs = figures(df, *args)
    seconds = (time.perf_counter() - t0) / repeat
    bad = 0
    for key, v in theirs.items():
        o = float(ours[key])
        diff = abs(o - v)
        scale = max(abs(o), abs(v), 1.0)
        ok = diff <= 1e-9 * scale
        bad += not ok
        print(f"    {key:24} ours {o:<22.12g} pandas {v:<22.12g} diff {diff:.3g}"
              f"{'' if ok else '  <- MISMATCH'}")
    print(f"figures rows={len(df)} pandas_seconds={seconds:.6f} mismatches={bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
