#!/usr/bin/env python3
"""Runs bpfxx's run-time benchmarks and prints each figure as a ratio to the
baseline measured in the same run.

Benchmarks are named `<group>/<implementation>` (e.g. `array_lookup/raw_syscall`,
`array_lookup/bpfxx`, `array_lookup/libbpf`). For every group the report shows
ns per iteration of each implementation and its ratio to `raw_syscall` (or to
`jit` for the interpreter groups of bench_vm, to `bpfxx_lookup` for the mmap
group, which has no raw variant, to `libbpf` for the ring buffer groups, or to `loop_free` for the checker's
groups of bench_check), so machine noise that hits all of them alike
cancels out.

Usage: bench/report.py [BUILD_DIR] [--filter REGEX] [--repetitions N]
"""
import argparse
import glob
import json
import os
import subprocess
import sys


def run(binary, flt, reps):
    cmd = [binary, '--benchmark_format=json', f'--benchmark_repetitions={reps}',
           '--benchmark_report_aggregates_only=true', '--benchmark_enable_random_interleaving=true']
    if flt:
        cmd.append(f'--benchmark_filter={flt}')
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f'{binary} failed:\n{out.stderr}')
    if not out.stdout.strip():  # --filter matched nothing in this binary
        return []
    return json.loads(out.stdout)['benchmarks']


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('build', nargs='?', default='build/gcc')
    ap.add_argument('--filter', default='')
    ap.add_argument('--repetitions', type=int, default=5)
    args = ap.parse_args()
    binaries = sorted(glob.glob(os.path.join(args.build, 'bench', 'bench_*')))
    if not binaries:
        sys.exit(f'no benchmarks under {args.build}/bench (configure with -DBPFXX_BUILD_BENCH=ON and build)')
    groups = {}
    for b in binaries:
        for r in run(b, args.filter, args.repetitions):
            if r.get('aggregate_name', 'median') != 'median' or r.get('error_occurred'):
                continue  # skipped benchmarks (e.g. the kernel's without root) have no time
            name = r['run_name'] if 'run_name' in r else r['name']
            group, _, impl = name.partition('/')
            # options Google Benchmark appends to a name are not implementations
            impl = '/'.join(p for p in impl.split('/')
                            if p not in ('manual_time', 'real_time') and not p.startswith('iterations:'))
            unit = {'ns': 1, 'us': 1e3, 'ms': 1e6, 's': 1e9}[r['time_unit']]
            per_item = r.get('items_per_second')
            groups.setdefault(group, {})[impl or 'default'] = (r['real_time'] * unit, per_item)
    for group, impls in groups.items():
        # The baseline: the raw syscall, the kernel's JIT, else one lookup per element.
        base_name = next((b for b in ('raw_syscall', 'jit', 'bpfxx_lookup', 'libbpf', 'loop_free') if b in impls),
                         next(iter(impls)))
        base = impls[base_name][0]
        print(f'{group}')
        for impl, (ns, per_item) in impls.items():
            rate = f'   {per_item / 1e6:8.2f} M items/s' if per_item else ''
            print(f'  {impl:<24} {ns:12.1f} ns   x{ns / base:6.3f} of {base_name}{rate}')


if __name__ == '__main__':
    main()
