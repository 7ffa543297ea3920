"""The peer of `fraudtree describe --by-target --json`: the fraud figures by
value recomputed with pandas groupby, and compared figure by figure.

    explore_pandas.py check FILE.csv OURS.json [--na-values LIST]
    explore_pandas.py time FILE.csv OURS.json [--na-values LIST]

`check` reads the column types, date layouts, target and bins from
OURS.json (what fraudtree decided), reads FILE.csv with pandas, and for
every column compares rows, frauds and rate of every level / value / bin /
hour / day of week / month and of the missing cells with a pandas groupby.
Bins are rebuilt from the edges fraudtree printed and counted with pd.cut,
so a value on an edge must land where pandas puts it. Prints how many
figures agree; exit status 1 when one differs.

`time` does the peer's work alone, as a pandas user who knows the file
would write it: read_csv (numbers read exactly: float_precision="round_trip") with
the categorical columns as text and the datetime columns parsed in the layout fraudtree read them in (the types
taken from OURS.json, as `check` does), then one groupby (count, sum,
mean) per column, per equal-width bin (pd.cut, the bin count fraudtree
used) and per hour, day of week and month; so bench-explore.sh can time
both sides on the same figures; it prints "work SECONDS", its time
without the interpreter's start and pandas' import (and appends that line
to $EXPLORE_WORK_LOG when set).
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd


def read(path, na_values):
    # pandas 2 reads "None" as missing, as fraudtree does; 1.x does not
    extra = ["None"] + ([v for v in na_values.split(",") if v] if na_values else [])
    return pd.read_csv(path, dtype=str, keep_default_na=True, na_values=extra)


def target_y(df, name, positive):
    col = df[name]
    known = col.notna()
    try:
        num = pd.to_numeric(col[known])
        pos = float(positive)
        y = (num == pos).astype(int)
    except (ValueError, TypeError):
        y = (col[known] == positive).astype(int)
    return y


def to_number(s):
    """Text to float, exactly (Python's float, as strtod): pandas' own
    parsers (to_numeric, read_csv without float_precision="round_trip") may
    land a digit string one unit in the last place away, which moves a value
    that sits on a bin edge (0.14285714285714285 read as 0.1428571428571428)."""
    def one(v):
        try:
            return float(v)
        except (TypeError, ValueError):
            return np.nan
    return s.map(one, na_action="ignore").astype(float)


def to_datetime(s, fmt):
    if fmt == "iso":
        return pd.to_datetime(s, errors="coerce")
    return pd.to_datetime(s, errors="coerce", dayfirst=(fmt == "dmy"))


def counts(keys, y):
    g = pd.DataFrame({"k": keys, "y": y}).groupby("k", dropna=True)["y"].agg(["count", "sum"])
    return {k: (int(r["count"]), int(r["sum"])) for k, r in g.iterrows()}


class Checker:
    def __init__(self):
        self.checked = 0
        self.bad = []

    def same(self, where, ours, theirs):
        self.checked += 1
        if ours != theirs:
            self.bad.append(f"{where}: fraudtree {ours}, pandas {theirs}")

    def groups(self, where, ours_groups, key, theirs):
        seen = set()
        for g in ours_groups:
            k = key(g)
            seen.add(k)
            rows, fraud = theirs.get(k, (0, 0))
            self.same(f"{where} {k!r} rows", g["rows"], rows)
            self.same(f"{where} {k!r} fraud", g["fraud"], fraud)
            rate = fraud / rows if rows else None
            self.same(f"{where} {k!r} rate", g["rate"], rate)
        for k in theirs:
            if k not in seen:
                self.bad.append(f"{where}: pandas has {k!r}, fraudtree does not")


def check(path, ours_path, na_values):
    with open(ours_path, encoding="utf-8") as fh:
        ours = json.load(fh)
    df = read(path, na_values)
    fraud = ours["fraud"]
    y_known = target_y(df, fraud["column"], fraud["positive"])
    df = df.loc[y_known.index]
    y = y_known.values
    ck = Checker()
    ck.same("labelled rows", fraud["rows"], len(df))
    ck.same("frauds", fraud["fraud"], int(y.sum()))
    for col in ours["columns"]:
        bt = col.get("by_target")
        if bt is None:
            continue
        name = col["name"]
        raw = df[name]
        if col["type"] == "categorical":
            vals = raw
        elif col["type"] == "numeric":
            vals = to_number(raw)
        else:
            vals = to_datetime(raw, col["date_format"])
        miss = vals.isna().values
        ck.same(f"{name} rows", bt["rows"], len(df))
        ck.same(f"{name} missing rows", bt["missing"]["rows"], int(miss.sum()))
        ck.same(f"{name} missing fraud", bt["missing"]["fraud"], int(y[miss].sum()))
        kind = bt["kind"]
        if kind == "levels" and "groups_omitted" in bt:
            continue
        if kind == "levels":
            ck.groups(name, bt["groups"], lambda g: g["value"], counts(vals.values, y))
        elif kind == "values":
            ck.groups(name, bt["groups"], lambda g: float(g["value"]),
                      counts(vals.astype(float).values, y))
        elif kind == "bins":
            def edge(v):
                return {"-inf": -np.inf, "inf": np.inf}.get(v, v) if isinstance(v, str) else float(v)
            groups = bt["groups"]
            edges = [edge(g["lo"]) for g in groups] + [edge(groups[-1]["hi"])]
            # the edges themselves: equal widths over the finite range
            finite = vals[np.isfinite(vals)]
            if len(finite):
                # in halves: a range of -1e308 to 1e308 overflows linspace
                mn, mx = float(finite.min()), float(finite.max())
                want = np.linspace(mn / 2, mx / 2, len(groups) + 1) * 2
                want[0], want[-1] = mn, mx
                inner = np.array([e for e in edges if np.isfinite(e)])
                if np.isinf(edges[0]):
                    inner = np.concatenate(([mn], inner))
                if np.isinf(edges[-1]):
                    inner = np.concatenate((inner, [mx]))
                tol = 1e-12 * max(abs(mn), abs(mx))
                ck.same(f"{name} edges equal-width over [min, max]", True,
                        len(inner) == len(want) and
                        bool(np.allclose(inner, want, rtol=1e-12, atol=tol)))
            # [lo, hi) bins, the last one closed (numpy.histogram's rule):
            # pd.cut leaves the top edge out, so it is put back by hand
            cut = pd.cut(vals, bins=edges, right=False, labels=False)
            cut[vals == edges[-1]] = len(groups) - 1
            ck.groups(name, [dict(g, i=i) for i, g in enumerate(groups)], lambda g: g["i"],
                      counts(cut.values, y))
        else:
            dt = vals.dt
            parts = {"hour": dt.hour, "day_of_week": dt.dayofweek, "month": dt.month}
            for part, keys in parts.items():
                theirs = counts(keys.values, y)
                ck.groups(f"{name}.{part}", bt[part], lambda g: float(g["value"]),
                          {float(k): v for k, v in theirs.items()})
            has_time = bool(((vals.dt.hour + vals.dt.minute + vals.dt.second) != 0).any())
            ck.same(f"{name} has_time", bt["has_time"], has_time)
    print(f"  {ck.checked} figures checked against pandas groupby, {len(ck.bad)} differ")
    for b in ck.bad[:20]:
        print("  DIFFERS:", b)
    return 1 if ck.bad else 0


def time_peer(path, ours_path, na_values):
    start = time.perf_counter()
    with open(ours_path, encoding="utf-8") as fh:
        ours = json.load(fh)
    cols = ours["columns"]
    text = {c["name"]: str for c in cols if c["type"] != "numeric"}
    extra = ["None"] + ([v for v in na_values.split(",") if v] if na_values else [])
    df = pd.read_csv(path, dtype=text, keep_default_na=True, na_values=extra,
                     float_precision="round_trip")
    fraud = ours["fraud"]
    y = target_y(df, fraud["column"], fraud["positive"])
    df = df.loc[y.index]

    def figures(keys):
        frame = pd.DataFrame({"k": keys, "y": y.values})
        frame.groupby("k", dropna=False)["y"].agg(["count", "sum", "mean"])

    for c in cols:
        bt = c.get("by_target")
        if bt is None or "groups_omitted" in bt:
            continue
        raw = df[c["name"]]
        if bt["kind"] == "datetime":
            dt = to_datetime(raw, c["date_format"]).dt
            for keys in (dt.hour, dt.dayofweek, dt.month):
                figures(keys.values)
        elif bt["kind"] == "bins":
            figures(pd.cut(raw, bins=len(bt["groups"]), right=False, labels=False).values)
        else:
            figures(raw.values)
    # the work without the interpreter's start and pandas' import, also
    # appended to $EXPLORE_WORK_LOG (one line a run: the bench keeps the best)
    work = f"work {time.perf_counter() - start:.3f}"
    print(work)
    if os.environ.get("EXPLORE_WORK_LOG"):
        with open(os.environ["EXPLORE_WORK_LOG"], "a", encoding="utf-8") as fh:
            print(work, file=fh)
    return 0


def main(argv):
    na = ""
    if "--na-values" in argv:
        i = argv.index("--na-values")
        na = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3], na)
    if len(argv) == 4 and argv[1] == "time":
        return time_peer(argv[2], argv[3], na)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
