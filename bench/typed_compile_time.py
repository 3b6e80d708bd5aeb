#!/usr/bin/env python3
"""Compile-time cost of the typed examples, each against itself without its programs.

For every examples/typed/<name>.hpp the script compiles two translation units
(`-std=c++20 -O2 -c`):
  with    = the header, and a main() that uses each of its programs
  without = the same header with every `constexpr auto X = c::compile(...);`
            removed (maps, structs and includes stay), and a main() returning 0
and reports cost = t(with) - t(without): the compiler's time spent on the
programs themselves (running the program lambdas and lowering them, twice).
Target (issue 15): cost <= 1 s of g++ time per example.

Times are CPU time (user + sys) of the compiler process, which a machine
shared with other builds disturbs less than wall time. The two TUs are
compiled alternately, --runs times each; the figure is the median of the
pairwise differences, with their spread (min .. max). Also printed: the cost
of including <bpfxx/c.hpp> over an empty TU, measured the same way.

--limits also finds, for clang++, the smallest -fconstexpr-steps each example
compiles with (the compiler's default is 1,048,576): the room left for
longer programs.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compile_time  # noqa: E402  (its smallest_limit)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples', 'typed')
PROGRAM_RE = re.compile(r'constexpr auto (\w+) = c::compile\(')


def split_programs(text):
    """The header without its programs, and the programs' names."""
    names, out, i = [], [], 0
    for m in PROGRAM_RE.finditer(text):
        names.append(m.group(1))
        out.append(text[i:m.start()])
        end = text.index('\n});', m.end())  # a program ends with `});` at the start of a line
        i = end + len('\n});')
    out.append(text[i:])
    return ''.join(out), names


def namespace_of(text):
    m = re.search(r'^namespace ([\w:]+) \{', text, re.M)
    return m.group(1)


def cpu_time(cmd):
    """CPU seconds (user + sys) of one run of cmd; exits on a compile error."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        r = subprocess.run(cmd, capture_output=True, text=True)
        sys.exit(f'{cmd[0]} failed:\n{r.stderr[:4000]}')
    return usage.ru_utime + usage.ru_stime


def paired(cxx, src_a, src_b, runs, flags=()):
    """Median and spread of t(a) - t(b), compiled alternately."""
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for k, src in enumerate((src_a, src_b)):
            p = os.path.join(d, f'tu{k}.cpp')
            with open(p, 'w') as f:
                f.write(src)
            paths.append(p)
        base = [cxx, '-std=c++20', '-O2', *flags, '-I', os.path.join(ROOT, 'include'), '-c']
        diffs, ta, tb = [], [], []
        for _ in range(runs):
            a = cpu_time(base + [paths[0], '-o', os.path.join(d, 'a.o')])
            b = cpu_time(base + [paths[1], '-o', os.path.join(d, 'b.o')])
            ta.append(a)
            tb.append(b)
            diffs.append(a - b)
    return statistics.median(diffs), min(diffs), max(diffs), statistics.median(ta), statistics.median(tb)


def smallest_steps(cxx, src, hi=1 << 24):
    """The smallest -fconstexpr-steps (clang++) that `src` compiles with; None above hi."""
    return compile_time.smallest_limit(cxx, '-fconstexpr-steps=', src, os.path.join(ROOT, 'include'), hi)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--compilers', nargs='*', default=['g++', 'clang++'])
    ap.add_argument('--examples', nargs='*', help='names in examples/typed/ (default: all)')
    ap.add_argument('--limits', action='store_true', help='clang++: the smallest -fconstexpr-steps per example')
    ap.add_argument('--check', action='store_true', help='exit 1 when a g++ cost exceeds 1 s')
    args = ap.parse_args()
    names = args.examples or sorted(f[:-4] for f in os.listdir(EXAMPLES) if f.endswith('.hpp') and f != 'main.hpp')
    failed = False
    for cxx in args.compilers:
        if not shutil.which(cxx):
            print(f'{cxx}: not installed, skipped')
            continue
        inc, lo, hi, _, empty = paired(cxx, '#include <bpfxx/c.hpp>\nint main() { return 0; }\n',
                                       'int main() { return 0; }\n', args.runs)
        print(f'{cxx}: include <bpfxx/c.hpp> +{inc:.3f} s ({lo:.3f} .. {hi:.3f}) over an empty TU ({empty:.3f} s)')
        for name in names:
            with open(os.path.join(EXAMPLES, name + '.hpp')) as f:
                text = f.read().replace('#pragma once\n', '')
            stripped, programs = split_programs(text)
            ns = namespace_of(text)
            uses = ' + '.join(f'{ns}::{p}.size()' for p in programs)
            with_src = text + f'\nint main() {{ return static_cast<int>({uses}); }}\n'
            without_src = stripped + '\nint main() { return 0; }\n'
            cost, lo, hi, t_with, t_without = paired(cxx, with_src, without_src, args.runs)
            note = ''
            if cxx.startswith('g++') and cost > 1.0:
                failed = True
                note = '  OVER 1 s'
            print(f'{cxx}: {name:18s} {len(programs)} program(s): +{cost:.3f} s ({lo:.3f} .. {hi:.3f}), '
                  f'{t_with:.3f} s with, {t_without:.3f} s without{note}')
            if args.limits and 'clang' in os.path.basename(cxx):
                steps = smallest_steps(cxx, with_src)
                print(f'{cxx}:   needs -fconstexpr-steps={steps} (default 1048576: '
                      f'{100 * steps / (1 << 20):.1f}% used)' if steps else f'{cxx}:   needs more than 2^24 steps')
    if args.check and failed:
        sys.exit('compile-time target missed')


if __name__ == '__main__':
    main()
