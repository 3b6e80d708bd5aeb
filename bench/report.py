#!/usr/bin/env python3
"""Runs bpfxx's run-time benchmarks and prints each figure with its spread and
as a ratio to the baseline measured in the same run.

Benchmarks are named `<group>/<implementation>` (e.g. `array_lookup/raw_syscall`,
`array_lookup/bpfxx`). Each benchmark program declares the baseline of each of
its groups (bench/baselines.hpp: `baseline:<group>` in the output's context); a
baseline does the same work as what it is compared with.

Figures are the benchmark thread's CPU time per iteration (Google Benchmark's
cpu_time, or the manual time of benchmarks that time themselves, which bpfxx's
take from the thread's CPU clock too): on a machine shared with other work,
wall time would count the time other tasks hold the CPU.

Every benchmark runs --repetitions times (at least 5), the repetitions of all
benchmarks of a program randomly interleaved, so that machine noise hits all of
them alike. For each figure the report prints min / median / max over the
repetitions, and its ratio to the baseline: the ratio of the medians, and the
range [min / baseline max, max / baseline min]. When the two [min, max]
intervals overlap the difference is within the noise, and the report says so.
Counters a benchmark reports (instructions, the kernel's own mean, ...) are
shown with their spread too. A counter `x_<implementation>_paired` is a ratio
to that implementation measured in the same iterations (so load on the
machine that comes and goes between benchmarks cancels out of it); it is
within noise when its [min, max] holds 1.

On a machine with more than one CPU the programs run pinned to one CPU
(taskset), the last one this process may use.

The report fails (exit status 1, after printing what it could) when a
benchmark errors (e.g. the kernel's without root), a program fails, a group
declares no baseline, or a declared baseline did not run.

Usage: bench/report.py [BUILD_DIR] [--filter REGEX] [--repetitions N]
"""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys

MIN_REPETITIONS = 5
UNITS = {'ns': 1, 'us': 1e3, 'ms': 1e6, 's': 1e9}
# Fields of a Google Benchmark run that are not user counters.
STANDARD = {'name', 'family_index', 'per_family_instance_index', 'run_name', 'run_type', 'repetitions',
            'repetition_index', 'threads', 'iterations', 'real_time', 'cpu_time', 'time_unit',
            'items_per_second', 'bytes_per_second', 'label', 'error_occurred', 'error_message',
            'aggregate_name', 'aggregate_unit'}


class Figure:
    """One value per repetition."""

    def __init__(self):
        self.values = []

    def add(self, v):
        self.values.append(v)

    @property
    def lo(self):
        return min(self.values)

    @property
    def hi(self):
        return max(self.values)

    @property
    def median(self):
        return statistics.median(self.values)

    def overlaps(self, other):
        return self.lo <= other.hi and other.lo <= self.hi


class Result:
    def __init__(self):
        self.ns = Figure()
        self.items_per_second = Figure()
        self.counters = {}
        self.label = ''
        self.order = 0  # registration order in its program


def pin_prefix():
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) <= 1:
        return [], f'one CPU ({cpus[0] if cpus else "?"}): not pinned'
    return ['taskset', '-c', str(cpus[-1])], f'pinned to CPU {cpus[-1]} of {len(cpus)} (taskset)'


def run(binary, pin, flt, reps, problems):
    cmd = pin + [binary, '--benchmark_format=json', f'--benchmark_repetitions={reps}',
                 '--benchmark_enable_random_interleaving=true']
    if flt:
        cmd.append(f'--benchmark_filter={flt}')
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        problems.append(f'{" ".join(cmd)} failed with exit status {out.returncode}:\n{out.stderr}')
        return {}, []
    if not out.stdout.strip():  # --filter matched nothing in this binary
        return {}, []
    doc = json.loads(out.stdout)
    baselines = {k[len('baseline:'):]: v for k, v in doc['context'].items() if k.startswith('baseline:')}
    return baselines, doc['benchmarks']


def split_name(name):
    group, _, impl = name.partition('/')
    # options Google Benchmark appends to a name are not implementations
    impl = '/'.join(p for p in impl.split('/')
                    if p not in ('manual_time', 'real_time') and not p.startswith('iterations:'))
    return group, impl or 'default'


def fmt_ns(ns):
    for unit, scale in (('s', 1e9), ('ms', 1e6), ('us', 1e3)):
        if abs(ns) >= scale:
            return f'{ns / scale:.4g} {unit}'
    return f'{ns:.4g} ns'


def fmt_num(v):
    return f'{v:.4g}'


def fmt_counter(name, f):
    paired = re.fullmatch(r'x_(.+)_paired', name)
    if paired:
        noise = ' within noise' if f.lo <= 1 <= f.hi else ''
        return f'x{f.median:.3f} [{f.lo:.3f}-{f.hi:.3f}] of {paired[1]} in the same iterations{noise}'
    return f'{name} {fmt_num(f.median)}' + ('' if f.lo == f.hi else f' [{fmt_num(f.lo)}-{fmt_num(f.hi)}]')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('build', nargs='?', default='build/gcc')
    ap.add_argument('--filter', default='')
    ap.add_argument('--repetitions', type=int, default=MIN_REPETITIONS)
    args = ap.parse_args()
    if args.repetitions < MIN_REPETITIONS:
        ap.error(f'--repetitions must be at least {MIN_REPETITIONS}: a spread needs them')
    binaries = sorted(glob.glob(os.path.join(args.build, 'bench', 'bench_*')))
    if not binaries:
        sys.exit(f'no benchmarks under {args.build}/bench (configure with -DBPFXX_BUILD_BENCH=ON and build)')
    pin, pin_note = pin_prefix()
    print(f'{args.repetitions} repetitions per benchmark, randomly interleaved; {pin_note}')
    print('figures: CPU time, min / median / max over the repetitions; ratio: of the medians, '
          '[min / baseline max, max / baseline min]')

    problems = []
    for b in binaries:
        baselines, runs = run(b, pin, args.filter, args.repetitions, problems)
        groups = {}
        for r in runs:
            if r.get('run_type') == 'aggregate':
                continue
            group, impl = split_name(r.get('run_name', r['name']))
            if r.get('error_occurred'):
                problems.append(f'{group}/{impl}: {r.get("error_message", "error")}')
                continue
            res = groups.setdefault(group, {}).setdefault(impl, Result())
            # CPU time: other tasks on a shared CPU do not count. Benchmarks
            # that time themselves (manual time) measure CPU time too.
            manual = '/manual_time' in r.get('run_name', r['name'])
            res.ns.add(r['real_time' if manual else 'cpu_time'] * UNITS[r['time_unit']])
            if 'items_per_second' in r:
                res.items_per_second.add(r['items_per_second'])
            for k, v in r.items():
                if k not in STANDARD and isinstance(v, (int, float)):
                    res.counters.setdefault(k, Figure()).add(v)
            res.label = r.get('label', '') or res.label
            res.order = r.get('family_index', 0)
        if groups:
            print(f'\n== {os.path.basename(b)}')
        for group, impls in sorted(groups.items(), key=lambda kv: min(r.order for r in kv[1].values())):
            base_name = baselines.get(group)
            if base_name is None:
                problems.append(f'{group}: {os.path.basename(b)} declares no baseline for it')
            elif base_name not in impls:
                problems.append(f'{group}: its baseline {base_name} did not run (errored or filtered out)')
                base_name = None
            base = impls[base_name] if base_name else None
            print(f'{group}' + (f' (baseline {base_name})' if base else ' (NO BASELINE)'))
            for impl, res in sorted(impls.items(), key=lambda kv: (kv[0] != base_name, kv[1].order)):
                line = (f'  {impl:<28} {fmt_ns(res.ns.lo):>10} {fmt_ns(res.ns.median):>10} '
                        f'{fmt_ns(res.ns.hi):>10}')
                if base and impl != base_name:
                    ratio = res.ns.median / base.ns.median
                    lo, hi = res.ns.lo / base.ns.hi, res.ns.hi / base.ns.lo
                    noise = '  within noise' if res.ns.overlaps(base.ns) else ''
                    line += f'   x{ratio:7.3f} [{lo:.3f}-{hi:.3f}]{noise}'
                elif base:
                    line += '   baseline'
                if res.items_per_second.values:
                    line += f'   {res.items_per_second.median / 1e6:.4g} M items/s'
                print(line)
                extras = [fmt_counter(k, f) for k, f in res.counters.items() if k != f'x_{impl}_paired']
                if res.label:
                    extras.append(res.label)
                if extras:
                    print(f'  {"":<28} ' + '; '.join(extras))

    if problems:
        print('\nFAILED: the report is incomplete:', file=sys.stderr)
        for p in dict.fromkeys(problems):  # once each, in order
            n = problems.count(p)
            print(f'  {p}' + (f' ({n} times)' if n > 1 else ''), file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
