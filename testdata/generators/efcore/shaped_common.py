"""What the hand-shaped generators of efcore/, eloquent/ and ecto/ share.

The span model (Tracer: a simulated clock, nested open/close) and the OTLP JSON encoder
(export_lines: spans in end order, grouped by resource then scope, one
ExportTraceServiceRequest per line) are those of ../handshaped/gen.py, imported as is.
This module adds what those generators need on top: the run loop that writes
<scenario>.json and <scenario>.expected.json, and a check of every trace against the
findings its scenario declares.

The check is the generators' own reading of testdata/README.md's group rules: the
database calls are the spans with db.system / db.system.name and a statement (minus
transaction control), grouped by loop parent (seen through spans that wrap one call or
repeat under their parent) and normalized statement; every group of 5 or more is an
n_plus_one, or an mn_plus_one when two or more groups of the same size share the loop
parent. The declared n_plus_one / mn_plus_one must be exactly those. The single-statement
findings (over_fetch, deep_offset, pagination_count) are declared by hand, statement by
statement, in each generator.
"""

import importlib.util
import json
import os
import random
import re
import zlib

_HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "handshaped_gen", os.path.join(_HERE, "..", "handshaped", "gen.py"))
hs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hs)

SERVER, INTERNAL, CLIENT = hs.SERVER, hs.INTERNAL, hs.CLIENT
Tracer = hs.Tracer

MIN_REPEATS = 5
_CONTROL = re.compile(r"^\s*(begin|start\s+transaction|commit|rollback|savepoint|release)\b", re.I)


def normalize(sql):
    s = re.sub(r"'(?:[^']|'')*'", "?", sql)
    s = re.sub(r"\$\d+|@\w+|:\w+|\?", "?", s)
    s = re.sub(r"\b\d+\b", "?", s)
    s = re.sub(r"\(\s*\?(?:\s*,\s*\?)*\s*\)", "(?)", s)
    return re.sub(r"\s+", " ", s).strip()


def statement_of(span):
    return span.attr("db.query.text") or span.attr("db.statement")


def is_db(span):
    return span.attr("db.system") is not None or span.attr("db.system.name") is not None


def repeats(tracer):
    """The n_plus_one / mn_plus_one groups of a trace: [(type, count, anchor name)]."""
    calls = [s for s in tracer.spans
             if s.kind == CLIENT and is_db(s) and statement_of(s) and not _CONTROL.match(statement_of(s))]
    held = {}
    for c in calls:
        p = c
        while p is not None:
            held[id(p)] = held.get(id(p), 0) + 1
            p = p.parent

    def repeated(s):
        if s.parent is None:
            return False
        return sum(1 for sib in s.parent.children if sib.name == s.name) > 1

    def loop_parent(c):
        parent = c.parent
        a = c.parent
        while a is not None:
            if a.kind == SERVER or a.parent is None or (held.get(id(a), 0) > 1 and not repeated(a)):
                break
            parent = a.parent
            a = a.parent
        return parent

    groups = {}
    for c in calls:
        groups.setdefault((id(loop_parent(c)), normalize(statement_of(c))), (loop_parent(c), []))[1].append(c)
    by_parent = {}
    for (pid, _), (parent, members) in groups.items():
        if len(members) >= MIN_REPEATS:
            by_parent.setdefault(pid, (parent, []))[1].append(len(members))
    found = []
    for parent, sizes in by_parent.values():
        for n in sorted(set(sizes)):
            kind = "mn_plus_one" if sizes.count(n) >= 2 else "n_plus_one"
            found.append((kind, n, parent.name if parent else None))
    return sorted(found)


def write(outdir, name, tracer, resource, source, trap, findings, note=None, n_batches=1):
    """Checks the declared group findings against the trace, then writes both files."""
    assert not tracer.stack, "%s: spans left open" % name
    got = repeats(tracer)
    want = sorted((f["type"], f["count"], f["anchor_span_name"]) for f in findings
                  if f["type"] in ("n_plus_one", "mn_plus_one"))
    if got != want:
        raise SystemExit("%s: the repeats are %s, not the declared %s" % (name, got, want))
    lines = hs.export_lines(tracer, resource, n_batches)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        f.write("\n".join(lines) + "\n")
    expected = {"source": source, "scenario": name, "seed_trap": trap}
    if note:
        expected["note"] = note
    expected["findings"] = findings
    with open(os.path.join(outdir, name + ".expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    return "%s: %d spans, %d lines, findings %s" % (
        name, len(tracer.spans), len(lines),
        ", ".join("%s x%d on %s" % (f["type"], f["count"], f["anchor_span_name"]) for f in findings) or "none")


def start_ns(orm, name, t0, i):
    rng = random.Random(zlib.crc32(("start/" + orm + name).encode()))
    return t0 + i * 41 * 10**9 + rng.randrange(10**9)


def finding(type_, count, anchor, table):
    return {"type": type_, "count": count, "anchor_span_name": anchor, "table": table}


# The seed_trap of each scenario, as the other generators word them.
TRAPS = {
    "forward_fk_loop": "N+1 on forward FK",
    "forward_fk_join": "N+1 on forward FK",
    "collection_loop": "N+1 on collection / M2M",
    "collection_prefetch": "N+1 on collection / M2M",
    "m2m_loop": "N+1 on collection / M2M",
    "m2m_prefetch": "N+1 on collection / M2M",
    "count_loop": "Counting in Python",
    "count_annotate": "Counting in Python",
    "insert_loop": "row-at-a-time INSERT in a loop (not in the seed article's checklist)",
    "insert_bulk": "row-at-a-time INSERT in a loop (not in the seed article's checklist)",
    "below_threshold": "N+1 on forward FK, 3 items (below the default threshold of 5)",
    "mn_plus_one_loop": "N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N+1)",
    "mn_plus_one_prefetch": "N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N+1)",
    "over_fetch_select_star": "Fetching whole objects to read",
    "over_fetch_columns": "Fetching whole objects to read",
    "deep_offset": "Deep OFFSET pagination",
    "pagination_count": "Pagination pitfalls: counting for pagination is a full second query",
    "keyset_page": "Deep OFFSET pagination and counting for pagination: the fix, keyset pagination",
}
