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
import multiprocessing
import os
import pathlib
import sys

try:
    import jsonschema
except ImportError as e:
    sys.exit(f"validate-events.py: needs python3-jsonschema ({e})")


def load_schemas(top_path):
    """The top schema and every schema file beside it, keyed by each of the
    URIs a reference may resolve to (its "$id" and its file:// URI)."""
    top_path = pathlib.Path(top_path).resolve()
    store = {}
    top = None
    for path in sorted(set(top_path.parent.glob("*.schema.json")) | {top_path}):
        with open(path) as f:
            contents = json.load(f)
        jsonschema.Draft202012Validator.check_schema(contents)
        store[path.as_uri()] = contents
        if "$id" in contents:
            store[contents["$id"]] = contents
        if path == top_path:
            top = contents
    return top_path, top, store


def make_validator(top_path):
    """A validator that resolves references from the files only. jsonschema
    4.18+ does that through the `referencing` library; Debian 12's 4.10 has
    only RefResolver, so both are supported."""
    top_path, top, store = load_schemas(top_path)
    try:
        import referencing
        import referencing.exceptions
        import referencing.jsonschema
    except ImportError:
        resolver = jsonschema.RefResolver(base_uri=top_path.as_uri(), referrer=top, store=store,
                                          handlers={"http": _no_fetch, "https": _no_fetch})
        return jsonschema.Draft202012Validator(top, resolver=resolver), jsonschema.exceptions.RefResolutionError

    def retrieve(uri):
        raise referencing.exceptions.NoSuchResource(ref=uri)

    draft = referencing.jsonschema.DRAFT202012
    registry = referencing.Registry(retrieve=retrieve).with_resources(
        (uri, draft.create_resource(contents)) for uri, contents in store.items())
    return jsonschema.Draft202012Validator(top, registry=registry), referencing.exceptions.Unresolvable


def _no_fetch(uri):
    raise jsonschema.exceptions.RefResolutionError(f"not fetching {uri}")


# The validator of the worker processes (set before they fork).
_VALIDATOR = None
_UNRESOLVABLE = Exception


def check_chunk(chunk):
    """(problems, unresolved) for [(path, n, raw line)]: one message per
    problem, in order; unresolved is a message when a reference did not
    resolve (the run then ends with status 2)."""
    out = []
    for path, n, raw in chunk:
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            out.append(f"{path}:{n}: not UTF-8 JSON: {e}")
            continue
        try:
            errors = list(_VALIDATOR.iter_errors(doc))
        except _UNRESOLVABLE as e:
            return out, f"{path}:{n}: schema reference not found: {e}"
        for err in errors:
            where = "/".join(str(p) for p in err.absolute_path)
            out.append(f"{path}:{n}: {where}: {err.message[:300]}")
    return out, None


def main():
    global _VALIDATOR, _UNRESOLVABLE
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    _VALIDATOR, _UNRESOLVABLE = make_validator(sys.argv[1])
    lines = []
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            lines += [(path, n, raw) for n, raw in enumerate(f, 1)]
    # A busy machine's capture is tens of thousands of lines and jsonschema
    # is slow: the chunks go to one forked worker per CPU (the e2e tests
    # run one at a time, so the CPUs are otherwise idle), in order.
    size = 2000
    chunks = [lines[i:i + size] for i in range(0, len(lines), size)]
    workers = min(len(chunks), os.cpu_count() or 1)
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(check_chunk, chunks, chunksize=1)
    else:
        results = [check_chunk(c) for c in chunks]
    bad = 0
    for problems, unresolved in results:
        for msg in problems:
            print(msg)
        bad += len(problems)
        if unresolved:
            print(unresolved.replace("not found:", f"not found beside {sys.argv[1]}:", 1))
            return 2
    print(f"{len(lines)} events checked, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
