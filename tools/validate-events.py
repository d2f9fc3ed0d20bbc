#!/usr/bin/env python3
"""Validate every line of a nightjar JSONL file against the JSON Schema.

usage: validate-events.py SCHEMA FILE...
Prints one line per invalid event and exits 1 if any; 0 otherwise.
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    bad = total = 0
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                total += 1
                try:
                    doc = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as e:
                    print(f"{path}:{n}: not UTF-8 JSON: {e}")
                    bad += 1
                    continue
                for err in validator.iter_errors(doc):
                    where = "/".join(str(p) for p in err.absolute_path)
                    print(f"{path}:{n}: {where}: {err.message[:300]}")
                    bad += 1
    print(f"{total} events checked, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
