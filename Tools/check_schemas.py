#!/usr/bin/env python3
"""Checks the JSON Schemas in Schemas/ and their examples; optionally validates export files.

Run from the repository root:

    python3 Tools/check_schemas.py                      # schemas and examples
    python3 Tools/check_schemas.py --records FILE.jsonl # … and every line of an export file
    python3 Tools/check_schemas.py -v                   # also show why each invalid example fails

What it checks:
- every schema file is a valid draft 2020-12 schema, its $id matches its path, every $ref resolves;
- the event types agree: the files in Schemas/events/, the type list in event.schema.json and
  the side table below (which docs/EVENTS.md describes);
- every event type has at least two valid and two invalid examples in Schemas/examples/<Type>/;
- every valid example validates: alone, wrapped in an import line, and wrapped in a record on each
  ledger side that may record it (and is refused in a record on a side that may not);
- every invalid example is refused, all its errors concern one field (it breaks one rule), and is also
  refused when wrapped in an import line and in a record;
- the examples of record.schema.json and import-line.schema.json (valid-*.json, valid-*.jsonl
  with one record a line, invalid-*.json) validate or are refused.

Validation follows the ledger, which is stricter than a default Python validator: JSON numbers
with a fraction or exponent are never integers (12.0 is refused, as by the ledger's parser),
duplicate object keys are refused, regular expressions use ECMA-262 semantics (\\d is ASCII,
$ is the very end of the string) and the formats date and date-time are asserted (2025-02-30 is
refused).

Exit status 0 when everything passed, 1 otherwise. Needs Python 3 and jsonschema 4.x.
"""

import argparse
import copy
import functools
import json
import os
import re
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator, ValidationError, validators
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as e:  # pragma: no cover
    sys.exit(f"check_schemas: needs Python's jsonschema 4.x (apt-get install python3-jsonschema): {e}")

SCHEMA_DIR = "Schemas"
BASE_URI = "https://doppelledger.example/schemas/"
DRAFT_URI = "https://json-schema.org/draft/2020-12/schema"

# Who records which event (CONTRACT section 2). "j": the Jugendamt's ledger, "t": a Träger's.
SIDES = {
    "AgreementSigned": "jt",
    "BudgetSet": "j",
    "TariffAdjusted": "jt",
    "SignerAuthorized": "j",
    "SignerRevoked": "j",
    "StaffAssigned": "t",
    "StaffLeft": "t",
    "KontraktSigned": "jt",
    "KontraktAmended": "jt",
    "KontraktEnded": "jt",
    "HoursBooked": "jt",
    "PreventionBooked": "jt",
    "PaymentBooked": "jt",
    "BookingReversed": "jt",
    "FundsReallocated": "j",
    "QuarterClosed": "jt",
    "ReconciliationRecorded": "jt",
    "YearEndSettled": "jt",
}
# Events that stay in the stream `intern` (CONTRACT section 1; docs/EVENTS.md "Streams").
INTERN = {
    "j": {"BudgetSet", "TariffAdjusted", "SignerAuthorized", "SignerRevoked", "FundsReallocated", "QuarterClosed"},
    "t": {"StaffAssigned", "StaffLeft"},
}
JUGENDAMT_LEDGER = "jugendamt:trier-saarburg"
TRAEGER_LEDGER = "traeger:caritas"
ZERO = "0" * 64
SOME_HASH = "3f1c9a0e7b2d4c6a8e0f1b3d5c7a9e2f4b6d8c0a1e3f5b7d9c2a4e6f8b0d1c3a"


# ---------------------------------------------------------------------------------------------
# Strict JSON and a validator with the ledger's semantics

class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise DuplicateKey(f"duplicate key {k!r}")
        obj[k] = v
    return obj


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def load_json_text(text):
    """Parses JSON like the ledger: duplicate keys and NaN/Infinity are errors."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def load_json_file(path):
    with open(path, encoding="utf-8") as f:
        return load_json_text(f.read())


@functools.lru_cache(maxsize=None)
def ecma_regex(pattern):
    """Compiles an ECMA-262 pattern (JSON Schema's dialect) for Python's re.

    Differences that matter here: Python's $ also matches before a final newline and its \\d
    matches any Unicode digit. So $ outside a character class becomes \\Z, and re.ASCII is set.
    """
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
        elif c == "$":
            c = r"\Z"
        out.append(c)
        i += 1
    return re.compile("".join(out), re.ASCII)


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _strict_integer(checker, instance):
    # The ledger's JSON parser refuses fractions and exponents: 12.0 is not an integer there.
    return isinstance(instance, int) and not isinstance(instance, bool)


StrictValidator = validators.extend(
    Draft202012Validator,
    validators={"pattern": _pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)
# A $ref into another schema file (which names its $schema) picks the validator class registered
# for that meta-schema; register the strict one so the rules hold across files, not only in the
# first. (This replaces the default for draft 2020-12 in this process only.)
validators.validates(DRAFT_URI)(StrictValidator)


# ---------------------------------------------------------------------------------------------
# Bookkeeping

class Tally:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def ok(self, what=None):
        self.passed += 1

    def fail(self, what):
        self.failed += 1
        print(f"FAIL {what}")

    def check(self, cond, what):
        if cond:
            self.ok()
        else:
            self.fail(what)
        return cond


def error_text(err):
    where = "/".join(str(p) for p in err.absolute_path) or "(top)"
    return f"{where}: {err.message}"


def errors_of(validator, instance):
    return sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])


# ---------------------------------------------------------------------------------------------
# Schemas

def schema_files():
    files = []
    for sub in ("", "events"):
        d = os.path.join(SCHEMA_DIR, sub)
        for name in sorted(os.listdir(d)):
            if name.endswith(".schema.json"):
                files.append(os.path.join(sub, name) if sub else name)
    return files


def walk_refs(node, path="#"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield path, v
            else:
                yield from walk_refs(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk_refs(v, f"{path}/{i}")


def load_schemas(t):
    schemas = {}
    for rel in schema_files():
        path = os.path.join(SCHEMA_DIR, rel)
        try:
            s = load_json_file(path)
        except (ValueError, OSError) as e:
            t.fail(f"{path}: not valid JSON: {e}")
            continue
        t.check(s.get("$schema") == DRAFT_URI, f"{path}: $schema must be {DRAFT_URI}")
        t.check(s.get("$id") == BASE_URI + rel, f"{path}: $id must be {BASE_URI + rel}")
        try:
            Draft202012Validator.check_schema(s)
            t.ok()
        except jsonschema.SchemaError as e:
            t.fail(f"{path}: not a valid draft 2020-12 schema: {e.message}")
            continue
        for _, pattern in _patterns(s):
            try:
                ecma_regex(pattern)
                t.ok()
            except re.error as e:
                t.fail(f"{path}: pattern {pattern!r} does not compile: {e}")
        schemas[rel] = s
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas.values()
    )
    for rel, s in schemas.items():
        resolver = registry.resolver(base_uri=s["$id"])
        for where, ref in walk_refs(s):
            try:
                resolver.lookup(ref)
                t.ok()
            except Exception as e:  # referencing raises several kinds
                t.fail(f"{SCHEMA_DIR}/{rel} {where}: $ref {ref!r} does not resolve ({type(e).__name__})")
    return schemas, registry


def _patterns(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                yield k, v
            else:
                yield from _patterns(v)
    elif isinstance(node, list):
        for v in node:
            yield from _patterns(v)


def validator_for(schemas, registry, rel):
    return StrictValidator(schemas[rel], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def check_consistency(t, schemas):
    files = {rel[len("events/"):-len(".schema.json")] for rel in schemas if rel.startswith("events/")}
    t.check(files == set(SIDES), f"event schema files {sorted(files)} differ from the event types {sorted(SIDES)}")
    ev = schemas.get("event.schema.json", {})
    enum = set(ev.get("properties", {}).get("type", {}).get("enum", []))
    t.check(enum == set(SIDES), f"event.schema.json: type enum {sorted(enum)} differs from the event types")
    dispatched = set()
    for branch in ev.get("allOf", []):
        typ = branch.get("if", {}).get("properties", {}).get("type", {}).get("const")
        ref = branch.get("then", {}).get("properties", {}).get("data", {}).get("$ref")
        if t.check(ref == f"events/{typ}.schema.json", f"event.schema.json: {typ} dispatches to {ref}"):
            dispatched.add(typ)
    t.check(dispatched == set(SIDES), f"event.schema.json: no data check for {sorted(set(SIDES) - dispatched)}")
    for typ in sorted(files):
        s = schemas[f"events/{typ}.schema.json"]
        t.check(s.get("additionalProperties") is False, f"events/{typ}: additionalProperties must be false")
        t.check("jugendamt" in s.get("properties", {}) and "jugendamt" not in s.get("required", []),
                f"events/{typ}: must allow an optional jugendamt field")


# ---------------------------------------------------------------------------------------------
# Examples

def import_line(typ, data):
    return {"type": typ, "key": "example-1", "actor": "asd-07", "data": data}


def record(typ, data, side):
    if side == "j":
        ledger = JUGENDAMT_LEDGER
        stream = "intern" if typ in INTERN["j"] else "traeger:" + (
            data.get("traeger") if isinstance(data.get("traeger"), str) else "caritas")
    else:
        ledger = TRAEGER_LEDGER
        stream = "intern" if typ in INTERN["t"] else "jugendamt:" + (
            data.get("jugendamt") if isinstance(data.get("jugendamt"), str) else "trier-saarburg")
    return {"seq": 42, "recordedAt": "2025-04-02T09:15:00Z", "ledger": ledger, "stream": stream,
            "streamSeq": 7, "type": typ, "key": "example-1", "actor": "asd-07", "data": data,
            "prev": SOME_HASH, "streamPrev": SOME_HASH, "hash": SOME_HASH}


def sides_of(typ, data):
    """The ledger sides that may record this example."""
    sides = SIDES[typ]
    if typ == "ReconciliationRecorded" and isinstance(data.get("counterparty"), str):
        # A reconciliation is recorded with the other side as counterparty.
        sides = "j" if data["counterparty"].startswith("traeger:") else "t"
    return sides


def example_files(d):
    valid, invalid, other = [], [], []
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.startswith("valid-") and name.endswith((".json", ".jsonl")):
            valid.append(p)
        elif name.startswith("invalid-") and name.endswith(".json"):
            invalid.append(p)
        else:
            other.append(p)
    return valid, invalid, other


def load_example(t, path):
    try:
        return True, load_json_file(path)
    except (ValueError, OSError) as e:
        t.fail(f"{path}: not valid JSON: {e}")
        return False, None


def check_event_examples(t, schemas, registry):
    imp = validator_for(schemas, registry, "import-line.schema.json")
    rec = validator_for(schemas, registry, "record.schema.json")
    for typ in sorted(SIDES):
        ev = validator_for(schemas, registry, f"events/{typ}.schema.json")
        d = os.path.join(SCHEMA_DIR, "examples", typ)
        if not t.check(os.path.isdir(d), f"{d}: missing (each event type needs examples)"):
            continue
        valid, invalid, other = example_files(d)
        for p in other:
            t.fail(f"{p}: examples are named valid-*.json or invalid-*.json")
        t.check(len(valid) >= 2, f"{d}: needs at least 2 valid examples, has {len(valid)}")
        t.check(len(invalid) >= 2, f"{d}: needs at least 2 invalid examples, has {len(invalid)}")
        for p in valid:
            ok, data = load_example(t, p)
            if not ok:
                continue
            errs = errors_of(ev, data)
            t.check(not errs, f"{p}: should be valid: " + "; ".join(map(error_text, errs)))
            errs = errors_of(imp, import_line(typ, data))
            t.check(not errs, f"{p}: should be valid in an import line: " + "; ".join(map(error_text, errs)))
            allowed = sides_of(typ, data)
            for side in "jt":
                name = "the Jugendamt's" if side == "j" else "a Träger's"
                errs = errors_of(rec, record(typ, copy.deepcopy(data), side))
                if side in allowed:
                    t.check(not errs, f"{p}: should be valid in a record on {name} ledger: "
                            + "; ".join(map(error_text, errs)))
                else:
                    t.check(bool(errs), f"{p}: a {typ} record on {name} ledger should be refused")
        for p in invalid:
            ok, data = load_example(t, p)
            if not ok:
                continue
            errs = errors_of(ev, data)
            fields = {tuple(e.absolute_path) for e in errs}
            if not errs:
                t.fail(f"{p}: should be refused but validates")
            elif len(fields) > 1:
                # A date that is no date breaks both its pattern and its format: one rule, one field.
                t.fail(f"{p}: should break exactly one rule, breaks {len(errs)}: " + "; ".join(map(error_text, errs)))
            else:
                t.ok()
                if t.verbose:
                    print(f"  {p}: " + "; ".join(map(error_text, errs)))
            t.check(bool(errors_of(imp, import_line(typ, data))), f"{p}: should be refused in an import line")
            side = sides_of(typ, data if isinstance(data, dict) else {})[0]
            t.check(bool(errors_of(rec, record(typ, data, side))), f"{p}: should be refused in a record")


def check_envelope_examples(t, schemas, registry, kind):
    v = validator_for(schemas, registry, f"{kind}.schema.json")
    d = os.path.join(SCHEMA_DIR, "examples", kind)
    if not t.check(os.path.isdir(d), f"{d}: missing"):
        return
    valid, invalid, other = example_files(d)
    for p in other:
        t.fail(f"{p}: examples are named valid-*.json(l) or invalid-*.json")
    t.check(len(valid) >= 2 and len(invalid) >= 2, f"{d}: needs at least 2 valid and 2 invalid examples")
    for p in valid:
        if p.endswith(".jsonl"):
            check_jsonl(t, v, p)
            continue
        ok, inst = load_example(t, p)
        if ok:
            errs = errors_of(v, inst)
            t.check(not errs, f"{p}: should be valid: " + "; ".join(map(error_text, errs)))
    for p in invalid:
        ok, inst = load_example(t, p)
        if ok:
            errs = errors_of(v, inst)
            if t.check(bool(errs), f"{p}: should be refused but validates") and t.verbose:
                print(f"  {p}: " + "; ".join(map(error_text, errs)))


def check_jsonl(t, v, path, label=None):
    """Validates every line of a JSON Lines file; returns (valid, invalid) line counts."""
    good = bad = 0
    label = label or path
    try:
        f = open(path, "rb")
    except OSError as e:
        t.fail(f"{label}: cannot read: {e}")
        return 0, 1
    with f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                t.fail(f"{label}:{n}: empty line")
                bad += 1
                continue
            try:
                inst = load_json_text(raw.decode("utf-8"))
            except ValueError as e:  # includes UnicodeDecodeError
                t.fail(f"{label}:{n}: not valid JSON: {e}")
                bad += 1
                continue
            errs = errors_of(v, inst)
            if errs:
                t.fail(f"{label}:{n}: " + "; ".join(map(error_text, errs)))
                bad += 1
            else:
                t.ok()
                good += 1
    return good, bad


def main(argv):
    ap = argparse.ArgumentParser(description="Check Schemas/ and its examples; optionally validate export files.")
    ap.add_argument("--records", metavar="FILE.jsonl", action="append", default=[],
                    help="also validate every line of this export file against record.schema.json (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show why each invalid example is refused")
    args = ap.parse_args(argv)
    records = [(path, os.path.abspath(path)) for path in args.records]
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository root
    if not os.path.isdir(SCHEMA_DIR):
        print(f"check_schemas: no {SCHEMA_DIR}/ beside Tools/", file=sys.stderr)
        return 2
    t = Tally(args.verbose)
    schemas, registry = load_schemas(t)
    needed = ["common.schema.json", "event.schema.json", "record.schema.json", "import-line.schema.json"]
    missing = [n for n in needed if n not in schemas]
    if missing:
        t.fail(f"missing or broken schemas: {', '.join(missing)}")
    if t.failed:
        print("check_schemas: examples and records not checked until the schemas themselves are sound")
    else:
        check_consistency(t, schemas)
        check_event_examples(t, schemas, registry)
        check_envelope_examples(t, schemas, registry, "record")
        check_envelope_examples(t, schemas, registry, "import-line")
        rec = validator_for(schemas, registry, "record.schema.json")
        for path, absolute in records:
            good, bad = check_jsonl(t, rec, absolute, path)
            print(f"records {path}: {good} valid, {bad} invalid")
    print(f"schemas: {t.passed} passed, {t.failed} failed")
    return 0 if t.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
