"""Real datasets that scikit-learn ships inside its package (nothing is downloaded).

digits (8x8 images, 10 classes), iris (3), wine (3), breast cancer (2) and diabetes
(regression). Inputs are standardised with the training split's statistics and the
split is fixed by the data seed. scikit-learn is an optional dependency
(``pip install 'actviz[data]'``): without it these tasks say so when they are used.
"""

from __future__ import annotations

import numpy as np

from actviz import hookimpl, table_task

#: name: (loader in sklearn.datasets, inputs, classes (0 = regression), rows, description)
DATASETS = {
    "digits": ("load_digits", 64, 10, 1797, "8x8 images of handwritten digits, 10 classes"),
    "iris": ("load_iris", 4, 3, 150, "Fisher's iris flowers: 4 measurements, 3 species"),
    "wine": ("load_wine", 13, 3, 178, "chemical analysis of wines from 3 cultivars"),
    "breast_cancer": (
        "load_breast_cancer",
        30,
        2,
        569,
        "Wisconsin breast cancer: 30 cell-nucleus features, malignant or benign",
    ),
    "diabetes": (
        "load_diabetes",
        10,
        0,
        442,
        "disease progression one year on from 10 baseline variables (regression)",
    ),
}

MISSING = "the {name} task needs scikit-learn, which is not installed: pip install 'actviz[data]'"


def _loader(name: str, function: str):
    def load() -> tuple[np.ndarray, np.ndarray]:
        try:
            from sklearn import datasets
        except ImportError:
            raise RuntimeError(MISSING.format(name=name)) from None
        bunch = getattr(datasets, function)()
        return np.asarray(bunch.data, float), np.asarray(bunch.target)

    return load


@hookimpl
def actviz_tasks():
    return [
        table_task(
            name,
            _loader(name, function),
            input_dim=inputs,
            classes=classes,
            description=f"{text} ({rows} rows; scikit-learn's bundled data).",
            extras={"rows": rows, "source": f"sklearn.datasets.{function}"},
        )
        for name, (function, inputs, classes, rows, text) in DATASETS.items()
    ]
