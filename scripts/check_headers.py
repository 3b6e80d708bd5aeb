#!/usr/bin/env python3
"""The shape of include/: no include cycle, portable layers free of Linux
ones, no header too large to read.

Fails (exit 1) when
  - the `#include <bpfxx/...>` arrows between the headers of include/bpfxx
    form a cycle (it prints one), or
  - a header of a portable layer (isa, asm, text, check, descriptors, vm)
    includes one of another layer (the Linux ones: maps, sys, load ...), or
  - a header has more than LIMIT lines and its opening comment (the comment
    right after `#pragma once`) does not say why it is one concept, in a line
    `// One concept: <why>`, or
  - a header includes a standard header that costs every translation unit
    more than bpfxx's small replacement does (HEAVY; CONTRIBUTING.md says
    what to use instead).

Usage: scripts/check_headers.py [--limit N] [--root DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# The layers that build on any OS; they may include only each other.
PORTABLE = ("detail", "isa", "asm", "text", "check", "descriptors", "vm")

# Standard headers kept out of include/ for their compile cost.
HEAVY = ("functional", "fstream", "sstream", "iostream", "map", "set", "mutex", "memory", "algorithm")
STD_INCLUDE_RE = re.compile(r"^\s*#\s*include\s*<([a-z_]+)>")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"](bpfxx/[^>"]+)[>"]')
ONE_CONCEPT_RE = re.compile(r"^//\s*One concept:\s*\S")


def includes(path: Path) -> list[str]:
    return [m.group(1) for line in path.read_text().splitlines() if (m := INCLUDE_RE.match(line))]


def opening_comment(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    out, started = [], False
    for line in lines:
        if not started:
            if line.startswith("#pragma once") or not line.strip():
                continue
            started = True
        if not line.startswith("//"):
            break
        out.append(line)
    return out


def portable(header: str) -> bool:
    """Whether `header` (bpfxx/...) belongs to a portable layer or is its umbrella."""
    part = header.split("/")[1]
    return part.removesuffix(".hpp") in PORTABLE


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle of `graph` as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=600, help="lines a header may have without saying why (600)")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent / "include")
    args = ap.parse_args()

    headers = sorted(p for p in (args.root / "bpfxx").rglob("*.hpp"))
    graph = {str(p.relative_to(args.root)): includes(p) for p in headers}
    failed = False

    missing = sorted({i for deps in graph.values() for i in deps if i not in graph})
    for m in missing:
        print(f"check_headers: <{m}> is included but does not exist")
        failed = True

    if cycle := find_cycle(graph):
        print("check_headers: include cycle: " + " -> ".join(cycle))
        failed = True

    for h, deps in graph.items():
        for d in deps:
            if portable(h) and not portable(d):
                print(f"check_headers: {h} is portable but includes <{d}>")
                failed = True

    for p in headers:
        for line in p.read_text().splitlines():
            if (m := STD_INCLUDE_RE.match(line)) and m.group(1) in HEAVY:
                print(f"check_headers: {p.relative_to(args.root)} includes <{m.group(1)}> (see CONTRIBUTING.md)")
                failed = True

    for p in headers:
        n = len(p.read_text().splitlines())
        if n > args.limit and not any(ONE_CONCEPT_RE.match(line) for line in opening_comment(p)):
            print(f"check_headers: {p.relative_to(args.root)} has {n} lines (more than {args.limit}) and its "
                  "opening comment has no `// One concept: <why>` line")
            failed = True

    if not failed:
        print(f"check_headers: {len(headers)} headers, no include cycle, portable layers include only portable "
              f"ones, none of <{'>, <'.join(HEAVY)}>, none over {args.limit} lines unexplained")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
