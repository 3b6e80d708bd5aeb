#!/usr/bin/env python3
"""Compile-time cost of bpfxx, measured against a baseline in the same run.

Figures (median of --runs compilations, `-std=c++20 -O2 -c`):
  include  = t(TU that includes bpfxx/asm.hpp) - t(empty TU)
  assemble = t(TU that assembles a 4,096-slot program) - t(TU that includes bpfxx/asm.hpp)
The 4,096-slot program mixes ALU, memory, ld_imm64, symbolic map loads and a
conditional jump to a fresh label every 8 instructions (512 labels).
Targets (issue 2): include < 0.3 s, assemble < 2 s of g++ time.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def big_program(slots):
    lines = ['#include <bpfxx/asm.hpp>', 'using namespace bpfxx::ops;',
             'struct counters { static constexpr auto type = bpfxx::map_type::array;',
             '  static constexpr std::uint32_t key_size = 4, value_size = 8, max_entries = 256; };',
             'struct events { static constexpr auto type = bpfxx::map_type::hash;',
             '  static constexpr std::uint32_t key_size = 8, value_size = 8, max_entries = 1024; };',
             'constexpr auto prog = bpfxx::assemble(']
    items, n, block = [], 0, 0
    body = ['mov(r1, {i})', 'add(r1, r2)', 'ldx<std::uint32_t>(r3, r10, -8)', 'stx<std::uint64_t>(r10, -16, r3)',
            'xor32(r4, {i})', 'lsh(r5, 3)']
    while n < slots - 2:
        items.append(f'jeq(r1, {block}, "l{block}"_label)'); n += 1
        for k, tpl in enumerate(body):
            if n >= slots - 2:
                break
            items.append(tpl.format(i=n)); n += 1
        if block % 16 == 0 and n + 2 <= slots - 2:
            items.append('ld_map<counters>(r1)' if block % 32 == 0 else 'ld_imm64(r2, 0x1122334455667788ull)'); n += 2
        items.append(f'"l{block}"_label')
        block += 1
    while n < slots - 1:
        items.append('mov(r0, 0)'); n += 1
    items.append('exit()'); n += 1
    lines.append(',\n'.join('    ' + i for i in items))
    lines.append(');')
    lines.append(f'static_assert(prog.size() == {slots});')
    lines.append('int main() { return prog[0].code == 0 ? 1 : 0; }')
    return '\n'.join(lines) + '\n', block


def measure(cxx, src, runs, include):
    times = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'tu.cpp')
        with open(path, 'w') as f:
            f.write(src)
        cmd = [cxx, '-std=c++20', '-O2', '-I', include, '-c', path, '-o', os.path.join(d, 'tu.o')]
        for _ in range(runs):
            t0 = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            times.append(time.perf_counter() - t0)
            if r.returncode != 0:
                sys.exit(f'{cxx} failed:\n{r.stderr[:4000]}')
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--slots', type=int, default=4096)
    ap.add_argument('--compilers', nargs='*', default=['g++', 'clang++'])
    ap.add_argument('--check', action='store_true', help='exit 1 when a g++ figure misses its target')
    args = ap.parse_args()
    include = os.path.join(ROOT, 'include')
    program, labels = big_program(args.slots)
    failed = False
    for cxx in args.compilers:
        if not shutil.which(cxx):
            print(f'{cxx}: not installed, skipped')
            continue
        empty = measure(cxx, 'int main() { return 0; }\n', args.runs, include)
        inc = measure(cxx, '#include <bpfxx/asm.hpp>\nint main() { return 0; }\n', args.runs, include)
        big = measure(cxx, program, args.runs, include)
        inc_cost, asm_cost = inc - empty, big - inc
        print(f'{cxx}: empty TU {empty:.3f} s | include bpfxx/asm.hpp +{inc_cost:.3f} s (target < 0.3) | '
              f'assemble {args.slots} slots, {labels} labels +{asm_cost:.3f} s (target < 2.0)')
        if cxx.startswith('g++') and (inc_cost >= 0.3 or asm_cost >= 2.0):
            failed = True
    if args.check and failed:
        sys.exit('compile-time target missed')


if __name__ == '__main__':
    main()
