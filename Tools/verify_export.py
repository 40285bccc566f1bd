#!/usr/bin/env python3
"""Verify a Doppelledger export (JSON Lines) with nothing but Python's standard library.

Usage: python3 Tools/verify_export.py EXPORT.jsonl  (or - for standard input). See docs/FORMAT.md.
Prints "ok: N records" and exits 0, or "bad: seq N: why" for the first bad record and exits 1.
"""
import hashlib, json, sys

ZERO = "0" * 64

def jcs(v):  # RFC 8785 for integers and strings: keys in UTF-16 order, no spaces, UTF-8
    if isinstance(v, dict):
        return {k: jcs(v[k]) for k in sorted(v, key=lambda k: k.encode("utf-16-be"))}
    return [jcs(x) for x in v] if isinstance(v, list) else v

def strict(pairs):  # duplicate keys make a record ambiguous
    if len({k for k, _ in pairs}) != len(pairs): raise ValueError("duplicate key")
    return dict(pairs)

def no_float(text): raise ValueError(f"number {text} is not an integer")

def check(lines):
    recs = []
    for n, line in lines:
        try: recs.append(json.loads(line.decode("utf-8"), object_pairs_hook=strict, parse_float=no_float, parse_constant=no_float))
        except ValueError as e: return f"line {n}: not valid JSON ({e})"
        if not isinstance(recs[-1], dict): return f"line {n}: not a JSON object"
    one_stream = len({r.get("stream") for r in recs}) <= 1  # only a single stream's export may skip seqs
    last, streams = None, {}
    for r in recs:
        try:
            seq, s_last = r["seq"], streams.get(r["stream"])
            text = json.dumps(jcs({k: v for k, v in r.items() if k != "hash"}), separators=(",", ":"), ensure_ascii=False)
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != r["hash"]: return f"seq {seq}: hash does not match the content"
            if last is None and seq == 1 and r["prev"] != ZERO: return f"seq {seq}: prev of the first record must be 64 zeros"
            if last and seq == last["seq"] + 1 and r["prev"] != last["hash"]: return f"seq {seq}: prev is not the hash of seq {last['seq']}"
            if last and (seq <= last["seq"] or (seq > last["seq"] + 1 and not one_stream)): return f"seq {seq}: records before it are missing or out of order"
            if last and r["recordedAt"] < last["recordedAt"]: return f"seq {seq}: recordedAt goes backwards"
            if s_last is None and r["streamSeq"] == 1 and r["streamPrev"] != ZERO: return f"seq {seq}: streamPrev of a stream's first record must be 64 zeros"
            if s_last and (r["streamSeq"] != s_last["streamSeq"] + 1 or r["streamPrev"] != s_last["hash"]): return f"seq {seq}: does not follow the previous record of stream {r['stream']}"
        except (KeyError, TypeError, UnicodeEncodeError) as e: return f"seq {r.get('seq')}: malformed record ({e!r})"
        last = streams[r["stream"]] = r
    print(f"ok: {len(recs)} records")

if __name__ == "__main__":
    if len(sys.argv) != 2: sys.exit("usage: verify_export.py EXPORT.jsonl (or - for standard input)")
    data = (sys.stdin.buffer if sys.argv[1] == "-" else open(sys.argv[1], "rb")).read()
    problem = check([(n, l) for n, l in enumerate(data.split(b"\n"), 1) if l.strip()])
    if problem: print("bad: " + problem)
    sys.exit(1 if problem else 0)
