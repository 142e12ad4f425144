"""Runs every end-to-end test module (tests/e2e/test_*.py) against a fresh sandbox."""
import argparse
import glob
import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default="./build/gatehouse")
ap.add_argument("-k", dest="only", default=None, help="run only tests whose name contains this")
args = ap.parse_args()
for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "test_*.py"))):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
sys.exit(0 if harness.run_all(args.bin, args.only) else 1)
