#!/usr/bin/python3
"""Classical baselines for the SpamAssassin split written by `attn data fetch spamassassin`.

Run with Debian's Python (python3-sklearn):
    /usr/bin/python3 bench/baselines/spam_sklearn.py --data data/spamassassin

Text is exactly what attn trains on (Subject + decoded text parts, HTML stripped).
Each model is tuned on the validation split only, then scored once on test.
Prints accuracy, errors out of the test size and spam F1 for each model.
"""
import argparse
import json
import pathlib

from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC


def load(path):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(1 if row["label"] == "spam" else 0)
    return texts, labels


def tune(make, grid, train, valid):
    """Returns the model fitted on train with the grid value best on valid."""
    best = None
    for value in grid:
        model = make(value).fit(*train)
        acc = accuracy_score(valid[1], model.predict(valid[0]))
        if best is None or acc > best[0]:
            best = (acc, value, model)
    return best[1], best[2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/spamassassin", type=pathlib.Path)
    args = ap.parse_args()
    train_t, train_y = load(args.data / "train.jsonl")
    valid_t, valid_y = load(args.data / "valid.jsonl")
    test_t, test_y = load(args.data / "test.jsonl")

    counts = CountVectorizer(lowercase=True)
    tfidf = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    feats = {
        "counts": (counts.fit_transform(train_t), counts.transform(valid_t), counts.transform(test_t)),
        "tfidf": (tfidf.fit_transform(train_t), tfidf.transform(valid_t), tfidf.transform(test_t)),
    }
    models = [
        ("naive Bayes (word counts)", "counts", lambda a: MultinomialNB(alpha=a), [0.01, 0.03, 0.1, 0.3, 1.0]),
        ("TF-IDF 1-2-gram logistic regression", "tfidf",
         lambda c: LogisticRegression(C=c, max_iter=2000), [1, 3, 10, 30, 100]),
        ("TF-IDF 1-2-gram linear SVM", "tfidf", lambda c: LinearSVC(C=c), [0.1, 0.3, 1, 3, 10]),
    ]
    print(f"{'model':40} {'param':>6} {'accuracy':>9} {'errors':>8} {'spam F1':>8}")
    for name, kind, make, grid in models:
        xtr, xva, xte = feats[kind]
        value, model = tune(make, grid, (xtr, train_y), (xva, valid_y))
        pred = model.predict(xte)
        errors = sum(int(p != y) for p, y in zip(pred, test_y))
        print(f"{name:40} {value:>6} {accuracy_score(test_y, pred) * 100:8.2f}% "
              f"{errors:>4}/{len(test_y)} {f1_score(test_y, pred):8.3f}")


if __name__ == "__main__":
    main()
