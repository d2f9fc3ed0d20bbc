#!/usr/bin/env python3
"""Validate every line of a nightjar JSONL file against the JSON Schema.

usage: validate-events.py SCHEMA FILE...
Prints one line per invalid event and exits 1 if any; 0 otherwise.

SCHEMA is the top schema (docs/schema/event.schema.json). The files it
references with a relative "$ref" (one per event family) are read from the
same directory: every *.schema.json there is registered under its "$id" and under
its file:// URI, so a reference resolves whichever base it is relative to.
Nothing is fetched from the network.
"""
import json
import pathlib
import sys

try:
    import jsonschema
    import referencing
    import referencing.exceptions
    import referencing.jsonschema
except ImportError as e:
    sys.exit(f"validate-events.py: needs python3-jsonschema >= 4.18 with the 'referencing' library ({e})")

DRAFT = referencing.jsonschema.DRAFT202012


def load_registry(top_path):
    """The top schema and a registry of every schema file beside it."""
    top_path = pathlib.Path(top_path).resolve()
    resources = []
    top = None
    for path in sorted(set(top_path.parent.glob("*.schema.json")) | {top_path}):
        with open(path) as f:
            contents = json.load(f)
        jsonschema.Draft202012Validator.check_schema(contents)
        resource = DRAFT.create_resource(contents)
        resources.append((path.as_uri(), resource))
        if "$id" in contents:
            resources.append((contents["$id"], resource))
        if path == top_path:
            top = contents

    def retrieve(uri):
        raise referencing.exceptions.NoSuchResource(ref=uri)

    registry = referencing.Registry(retrieve=retrieve).with_resources(resources)
    return top, registry


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    schema, registry = load_registry(sys.argv[1])
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
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
                try:
                    errors = list(validator.iter_errors(doc))
                except referencing.exceptions.Unresolvable as e:
                    print(f"{path}:{n}: schema reference not found beside {sys.argv[1]}: {e}")
                    return 2
                for err in errors:
                    where = "/".join(str(p) for p in err.absolute_path)
                    print(f"{path}:{n}: {where}: {err.message[:300]}")
                    bad += 1
    print(f"{total} events checked, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
