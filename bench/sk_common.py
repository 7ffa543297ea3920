"""What fraudtree's default pipeline does, written with pandas and
scikit-learn, shared by the peer scripts of the benchmark: ID-like columns
dropped, the datetime column split into hour and day of week, numeric
columns imputed with the median and categorical ones with the most frequent
value, one-hot encoding, all fitted on the training split only."""
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

TARGET = "isFraud"
ID_LIKE = ["TransactionID", "card_no"]
DATETIME = "timestamp"


def features(df):
    """Raw frame -> frame of model inputs (no label, no ID columns)."""
    x = df.drop(columns=[c for c in ID_LIKE + [TARGET] if c in df.columns])
    if DATETIME in x.columns:
        ts = pd.to_datetime(x.pop(DATETIME), format="%Y-%m-%d %H:%M:%S", errors="coerce")
        x[DATETIME + "_hour"] = ts.dt.hour
        x[DATETIME + "_day_of_week"] = ts.dt.dayofweek
    return x


def model(x, max_depth, seed):
    numeric = [c for c in x.columns if pd.api.types.is_numeric_dtype(x[c])]
    categorical = [c for c in x.columns if c not in numeric]
    prep = ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), numeric),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")), categorical),
    ])
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=seed)
    return Pipeline([("prep", prep), ("tree", tree)])


def split(y, seed, train=0.6, validation=0.2):
    """Stratified index split train/validation/test."""
    rng = np.random.RandomState(seed)
    parts = ([], [], [])
    for cls in np.unique(y):
        idx = np.flatnonzero(y == cls)
        rng.shuffle(idx)
        a = int(round(train * len(idx)))
        b = a + int(round(validation * len(idx)))
        parts[0].append(idx[:a])
        parts[1].append(idx[a:b])
        parts[2].append(idx[b:])
    return tuple(np.sort(np.concatenate(p)) for p in parts)


def oversample(idx, y, seed):
    """Random oversampling of the minority class to the majority's size."""
    rng = np.random.RandomState(seed)
    pos = idx[y[idx] == 1]
    neg = idx[y[idx] == 0]
    small, large = (pos, neg) if len(pos) < len(neg) else (neg, pos)
    if len(small) == 0:
        return idx
    extra = rng.choice(small, size=len(large) - len(small), replace=True)
    return np.concatenate([idx, extra])


def fit(df, max_depth=10, seed=42, resample=True):
    """Fit the whole pipeline; returns (model, x, y, validation index,
    test index)."""
    y = df[TARGET].to_numpy()
    x = features(df)
    tr, va, te = split(y, seed)
    if resample:
        tr = oversample(tr, y, seed)
    m = model(x, max_depth, seed)
    m.fit(x.iloc[tr], y[tr])
    return m, x, y, va, te
