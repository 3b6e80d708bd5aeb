#!/usr/bin/env python3
"""Compile-time cost of bpfxx, measured against a baseline in the same run.

Figures: the compiler's CPU time (user + system, of the driver and what it
runs), not wall time, which counts other work on the machine; each the
difference of the medians of --runs compilations (`-std=c++20 -O2 -c`), with
its spread [min - other's max, max - other's min]:
  include  = t(TU that includes bpfxx/asm.hpp) - t(empty TU)
  assemble = t(TU that assembles a 4,096-slot program) - t(TU that includes bpfxx/asm.hpp)
  vm run   = t(TU with a 1,000-instruction program and a static_assert on its
             run in bpfxx::vm) - t(the same TU without the static_assert)
The 4,096-slot program mixes ALU, memory, ld_imm64, symbolic map loads and a
conditional jump to a fresh label every 8 instructions (512 labels). The
--vm-insns program is straight-line ALU (64-bit add, xor, mul, shifts) with
stack stores and loads; the static_assert checks r0 against a model of it here.
Targets (issue 2): include < 0.3 s, assemble < 2 s of g++ time.

--umbrellas measures, for each umbrella header (bpfxx/<layer>.hpp and
bpfxx/bpfxx.hpp), with g++ -fsyntax-only:
  over empty = t(TU that includes it) - t(empty TU)
  over floor = t(TU that includes it) - t(TU that includes only the standard,
               system and Boost headers it reaches): what bpfxx's own code costs
With --before REV, the same headers of git revision REV (extracted with git
archive) are measured in the same run, interleaved, beside the working tree's.

--split (clang++ -ftime-trace) divides what each umbrella's own code costs
into parsing (reading the declarations and function bodies, with the checks
and constant evaluation that come with them) and template instantiation
(bpfxx's templates and the standard library's, instantiated for bpfxx's
code), in milliseconds of compiler time, median of --runs: what bounds the
cost of a header is its parsing, which no change to its templates removes.

--pch measures a TU that includes bpfxx/bpfxx.hpp through a precompiled
header (g++ .gch, built once in the run) against the same TU without it.

--vm-limits also finds the smallest -fconstexpr-steps (clang++) and
-fconstexpr-ops-limit (g++) that the vm run compiles with, against the
compilers' defaults (1,048,576 steps; 2^25 ops): the room left for longer runs.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

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


def vm_program(insns, with_assert):
    """A straight-line program of `insns` slots and, with_assert, a static_assert
    that runs it in bpfxx::vm; r0 is computed here by a model of the program."""
    mask = (1 << 64) - 1
    regs, stack, items = [0] * 6, {}, []
    for r in range(6):
        items.append(f'mov(r{r}, {r * 7919 + 1})')
        regs[r] = r * 7919 + 1
    k = 0
    while len(items) < insns - 2:
        d, s, imm = k % 6, (k * 5 + 3) % 6, (k * 2654435761) % 100000 + 1
        op, slot = k % 8, -8 * (k % 16 + 1)
        if op == 0:
            items.append(f'add(r{d}, {imm})'); regs[d] = (regs[d] + imm) & mask
        elif op == 1:
            items.append(f'xor_(r{d}, r{s})'); regs[d] ^= regs[s]
        elif op == 2:
            items.append(f'mul(r{d}, {imm})'); regs[d] = (regs[d] * imm) & mask
        elif op == 3:
            items.append(f'rsh(r{d}, {k % 13 + 1})'); regs[d] >>= k % 13 + 1
        elif op == 4:
            items.append(f'add(r{d}, r{s})'); regs[d] = (regs[d] + regs[s]) & mask
        elif op == 5:
            items.append(f'stx<std::uint64_t>(r10, {slot}, r{d})'); stack[slot] = regs[d]
        elif op == 6 and -8 * ((k - 1) % 16 + 1) in stack:
            slot = -8 * ((k - 1) % 16 + 1)
            items.append(f'ldx<std::uint64_t>(r{d}, r10, {slot})'); regs[d] = stack[slot]
        else:
            items.append(f'lsh(r{d}, {k % 7 + 1})'); regs[d] = (regs[d] << (k % 7 + 1)) & mask
        k += 1
    items.append('add(r0, r1)'); regs[0] = (regs[0] + regs[1]) & mask
    items.append('exit()')
    lines = ['#include <bpfxx/asm.hpp>', '#include <bpfxx/vm.hpp>', 'using namespace bpfxx::ops;',
             'constexpr auto prog = bpfxx::assemble(', ',\n'.join('    ' + i for i in items), ');',
             f'static_assert(prog.size() == {insns});']
    if with_assert:
        lines.append('constexpr auto result = bpfxx::vm::run_on_memory(prog, {});')
        lines.append(f'static_assert(result.ok() && result.steps == {insns} && result.r0 == {regs[0]}ull);')
    lines.append('int main() { return prog[0].code == 0 ? 1 : 0; }')
    return '\n'.join(lines) + '\n'


def smallest_limit(cxx, flag, src, include, hi):
    """The smallest value of `flag` (e.g. -fconstexpr-steps=) that `src` compiles with; None above hi."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'tu.cpp')
        with open(path, 'w') as f:
            f.write(src)

        def ok(v):
            cmd = [cxx, '-std=c++20', '-fsyntax-only', f'{flag}{v}', '-I', include, path]
            return subprocess.run(cmd, capture_output=True).returncode == 0

        if not ok(hi):
            return None
        lo = 1
        while lo < hi:
            mid = (lo + hi) // 2
            if ok(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo


class Times:
    """CPU seconds of each compilation of one translation unit."""

    def __init__(self, values):
        self.values = values
        self.median = statistics.median(values)

    def __sub__(self, other):
        """The cost over `other`: median difference, and its spread."""
        return (self.median - other.median, min(self.values) - max(other.values), max(self.values) - min(other.values))


def fmt(cost):
    median, lo, hi = cost
    return f'{median:+.3f} s [{lo:+.3f} to {hi:+.3f}]'


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(cxx, src, runs, include, syntax_only=False, must_compile=True):
    """CPU seconds of `runs` compilations of `src` (`-O2 -c`, or `-fsyntax-only`).
    A TU that does not compile ends the script, or gives None unless must_compile."""
    times = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'tu.cpp')
        with open(path, 'w') as f:
            f.write(src)
        mode = ['-fsyntax-only'] if syntax_only else ['-O2', '-c', '-o', os.path.join(d, 'tu.o')]
        cmd = [cxx, '-std=c++20', '-I', include, path] + mode
        for _ in range(runs):
            t0 = children_cpu()
            r = subprocess.run(cmd, capture_output=True, text=True)
            times.append(children_cpu() - t0)
            if r.returncode != 0:
                if must_compile:
                    sys.exit(f'{cxx} failed:\n{r.stderr[:4000]}')
                return None
    return Times(times)


def reached_headers(include, header):
    """The non-bpfxx headers (as written in `#include <...>`) that `header`
    reaches through bpfxx headers, in first-seen order: its floor."""
    import re
    seen, floor, stack = set(), [], [header]
    pattern = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
    while stack:
        h = stack.pop(0)
        if h in seen:
            continue
        seen.add(h)
        path = os.path.join(include, h)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                m = pattern.match(line)
                if not m:
                    continue
                name = m.group(1)
                if name.startswith('bpfxx/'):
                    stack.append(name)
                elif name not in floor:
                    floor.append(name)
    return floor


def reached_bpfxx_headers(include, header):
    """The bpfxx headers `header` reaches, itself included."""
    import re
    seen, stack = [], [header]
    pattern = re.compile(r'^\s*#\s*include\s*[<"](bpfxx/[^>"]+)[>"]')
    while stack:
        h = stack.pop()
        if h in seen:
            continue
        seen.append(h)
        with open(os.path.join(include, h)) as f:
            stack += [m.group(1) for m in map(pattern.match, f) if m]
    return seen


def umbrellas(include):
    found = sorted(f for f in os.listdir(os.path.join(include, 'bpfxx')) if f.endswith('.hpp'))
    return ['bpfxx/' + f for f in found]


def syntax_times(cxx, src, runs, include):
    """CPU seconds of `runs` -fsyntax-only compilations of `src`; None if it does not compile."""
    return measure(cxx, src, runs, include, syntax_only=True, must_compile=False)


def measure_umbrellas(cxx, runs, before):
    """Per umbrella header: the cost over an empty TU and over its own floor,
    for the working tree and (when given) revision `before`, in one run."""
    trees = [('now', os.path.join(ROOT, 'include'))]
    tmp = None
    if before:
        tmp = tempfile.mkdtemp()
        archive = subprocess.run(['git', '-C', ROOT, 'archive', before, 'include'], capture_output=True, check=True)
        subprocess.run(['tar', '-x', '-C', tmp], input=archive.stdout, check=True)
        trees.append((before, os.path.join(tmp, 'include')))
    try:
        empty = syntax_times(cxx, 'int main() { return 0; }\n', runs, trees[0][1])
        names = umbrellas(trees[0][1])
        print(f'{cxx} -fsyntax-only, median of {runs} [spread]; empty TU {empty.median:.3f} s')
        print(f'{"header":28} {"tree":10} {"over empty":>28} {"over its floor":>28}')
        for name in names:
            for label, include in trees:
                if not os.path.exists(os.path.join(include, name)):
                    print(f'{name:28} {label:10} {"(absent)":>28}')
                    continue
                floor_src = ''.join(f'#include <{h}>\n' for h in reached_headers(include, name))
                # interleave the three TUs so that load on the machine falls on all alike
                t_inc, t_floor = [], []
                for _ in range(runs):
                    a = syntax_times(cxx, f'#include <{name}>\n', 1, include)
                    b = syntax_times(cxx, floor_src, 1, include)
                    if a is None:
                        break
                    t_inc += a.values
                    if b is not None:
                        t_floor += b.values
                if not t_inc:
                    print(f'{name:28} {label:10} {"(does not compile alone)":>28}')
                    continue
                inc = Times(t_inc)
                over_floor = fmt(inc - Times(t_floor)) if t_floor else '(floor does not compile alone)'
                print(f'{name:28} {label:10} {fmt(inc - empty):>28} {over_floor:>28}')
    finally:
        if tmp:
            shutil.rmtree(tmp)


def trace_split(trace_path):
    """(parse, instantiation) milliseconds of a -ftime-trace file that its
    bpfxx headers cost: the self time of every event under a bpfxx `Source`,
    split by whether an instantiation is on its way up there."""
    import json
    with open(trace_path) as f:
        events = [e for e in json.load(f)['traceEvents'] if e.get('ph') == 'X'
                  and not e['name'].startswith('Total') and e['name'] not in ('ExecuteCompiler', 'Frontend')]
    events.sort(key=lambda e: (e['ts'], -e['dur']))
    parent, stack = [], []
    for i, e in enumerate(events):
        while stack and events[stack[-1]]['ts'] + events[stack[-1]]['dur'] <= e['ts']:
            stack.pop()
        parent.append(stack[-1] if stack else None)
        stack.append(i)
    own = [e['dur'] for e in events]
    for i, p in enumerate(parent):
        if p is not None:
            own[p] -= events[i]['dur']
    parse = inst = 0
    for i, e in enumerate(events):
        instantiating, j = e['name'].startswith('Instantiate'), i
        while j is not None and events[j]['name'] != 'Source':
            instantiating = instantiating or events[j]['name'].startswith('Instantiate')
            j = parent[j]
        source = events[j]['args']['detail'] if j is not None else ''
        if '/bpfxx/' not in source:
            continue
        if instantiating:
            inst += own[i]
        else:
            parse += own[i]
    return parse / 1000, inst / 1000


def measure_split(runs, headers):
    """--split: per umbrella header, bpfxx's own parsing and instantiation (clang++ -ftime-trace)."""
    include = os.path.join(ROOT, 'include')
    print(f'clang++ -ftime-trace, bpfxx\'s own code: ms of compiler time, median of {runs} [min-max]')
    print(f'{"header":28} {"lines":>6} {"parsing":>18} {"instantiation":>18}')
    for name in headers:
        lines = sum(sum(1 for _ in open(os.path.join(include, h)))
                    for h in reached_bpfxx_headers(include, name))
        parse, inst = [], []
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'tu.cpp')
            with open(path, 'w') as f:
                f.write(f'#include <{name}>\n')
            for _ in range(runs):
                subprocess.run(['clang++', '-std=c++20', '-I', include, '-ftime-trace', '-ftime-trace-granularity=0',
                                '-c', path, '-o', os.path.join(d, 'tu.o')], check=True)
                p, i = trace_split(os.path.join(d, 'tu.json'))
                parse.append(p)
                inst.append(i)
        show = lambda v: f'{statistics.median(v):6.0f} [{min(v):.0f}-{max(v):.0f}]'
        print(f'{name:28} {lines:6} {show(parse):>18} {show(inst):>18}')


def measure_pch(cxx, runs):
    """--pch: a TU including bpfxx/bpfxx.hpp, with and without a precompiled header."""
    include = os.path.join(ROOT, 'include')
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, 'pch', 'bpfxx'))
        t0 = children_cpu()
        subprocess.run([cxx, '-std=c++20', '-I', include, '-x', 'c++-header', os.path.join(include, 'bpfxx', 'bpfxx.hpp'),
                        '-o', os.path.join(d, 'pch', 'bpfxx', 'bpfxx.hpp.gch')], check=True, capture_output=True)
        build = children_cpu() - t0
        src = os.path.join(d, 'tu.cpp')
        with open(src, 'w') as f:
            f.write('#include <bpfxx/bpfxx.hpp>\nint main() { return 0; }\n')
        base = [cxx, '-std=c++20', '-fsyntax-only', src]
        with_pch, without = [], []
        for _ in range(runs):  # interleaved: load on the machine falls on both alike
            for flags, out in ((['-I', os.path.join(d, 'pch'), '-I', include], with_pch), (['-I', include], without)):
                t0 = children_cpu()
                subprocess.run(base + flags, check=True)
                out.append(children_cpu() - t0)
    a, b = Times(with_pch), Times(without)
    print(f'{cxx} -fsyntax-only, median of {runs} [spread]: #include <bpfxx/bpfxx.hpp> through a precompiled header '
          f'{a.median:.3f} s [{min(a.values):.3f}-{max(a.values):.3f}], without {b.median:.3f} s '
          f'[{min(b.values):.3f}-{max(b.values):.3f}]: {fmt(a - b)} (the header built once: {build:.2f} s)')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--slots', type=int, default=4096)
    ap.add_argument('--compilers', nargs='*', default=['g++', 'clang++'])
    ap.add_argument('--vm-insns', type=int, default=1000, help='slots of the program the vm runs at compile time')
    ap.add_argument('--vm-limits', action='store_true',
                    help='also find the constexpr step/op limits the vm run needs (about 25 compilations each)')
    ap.add_argument('--check', action='store_true', help='exit 1 when a g++ figure misses its target')
    ap.add_argument('--umbrellas', action='store_true',
                    help='only the per-umbrella-header costs (over an empty TU and over their own floor)')
    ap.add_argument('--before', metavar='REV', help='with --umbrellas: also measure the headers of git revision REV')
    ap.add_argument('--split', action='store_true',
                    help='bpfxx\'s own parsing and instantiation per umbrella header (clang++ -ftime-trace)')
    ap.add_argument('--pch', action='store_true', help='bpfxx/bpfxx.hpp through a precompiled header (g++)')
    args = ap.parse_args()
    include = os.path.join(ROOT, 'include')
    if args.split:
        measure_split(args.runs, umbrellas(include))
        return
    if args.pch:
        measure_pch(next((c for c in args.compilers if c.startswith('g++')), 'g++'), args.runs)
        return
    if args.umbrellas:
        for cxx in args.compilers:
            if shutil.which(cxx):
                measure_umbrellas(cxx, args.runs, args.before)
        return
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
        print(f'{cxx}: empty TU {empty.median:.3f} s | include bpfxx/asm.hpp {fmt(inc_cost)} (target < 0.3) | '
              f'assemble {args.slots} slots, {labels} labels {fmt(asm_cost)} (target < 2.0)')
        if cxx.startswith('g++') and (inc_cost[0] >= 0.3 or asm_cost[0] >= 2.0):
            failed = True
        vm_with, vm_without = vm_program(args.vm_insns, True), vm_program(args.vm_insns, False)
        t_with = measure(cxx, vm_with, args.runs, include)
        t_without = measure(cxx, vm_without, args.runs, include)
        print(f'{cxx}: static_assert on a vm run of {args.vm_insns} instructions {fmt(t_with - t_without)} '
              f'({t_without.median:.3f} s without it)')
        if args.vm_limits:
            clang = 'clang' in os.path.basename(cxx)
            flag, default = ('-fconstexpr-steps=', 1 << 20) if clang else ('-fconstexpr-ops-limit=', 1 << 25)
            need = smallest_limit(cxx, flag, vm_with, include, default * 16)
            base = smallest_limit(cxx, flag, vm_without, include, default * 16)
            if need is None:
                print(f'{cxx}:   the vm run needs more than {default * 16} ({flag[:-1]})')
            else:
                note = ' (or less: the assembly itself needs as much)' if base is not None and base >= need else ''
                print(f'{cxx}:   needs {flag}{need}{note}, {need / args.vm_insns:.0f} per instruction; '
                      f'default {default}: {100 * need / default:.1f}% used, '
                      f'room for about {default * args.vm_insns // need} instructions per run')
    if args.check and failed:
        sys.exit('compile-time target missed')


if __name__ == '__main__':
    main()
