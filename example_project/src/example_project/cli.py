"""``example-project [VALUE ...]``: predict, and say which Python and TensorFlow ran it."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from .model import DEFAULT_WEIGHTS, load_model, predict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="example-project", description=__doc__)
    parser.add_argument("values", nargs="*", type=float, default=[1.0, 2.0, 3.0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    args = parser.parse_args(argv)

    import tensorflow as tf

    model = load_model(args.weights)
    report = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "inputs": args.values,
        "predictions": predict(model, args.values),
    }
    print(f"Python {report['python']}, TensorFlow {report['tensorflow']}")
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
