#!/usr/bin/env python3
"""Run a command and report its wall time and the peak RSS of its whole process tree.

usage: treerss.py REPORT [--interval S] -- CMD [ARG...]

CMD's stdin/stdout/stderr are this program's; its exit code is this program's exit code (128+N
when a signal N ended it). REPORT gets three lines, `key<TAB>value`:

  wall_s        wall time from the start of CMD to its end
  tree_rss_kb   peak RSS of the whole process tree (../shared/docs/DECISIONS.md, "Measuring": the
                summed process tree, sampled): every S seconds (default 0.1) the RSS of CMD and of
                all its descendants (found through /proc/PID/stat's parent pid) is summed; the peak
                of those sums, but at least the kernel's own high-water mark of the largest single
                process (wait4's ru_maxrss, GNU time -v's "Maximum resident set size"), so that a
                peak between two samples of a one-process command is not missed
  maxrss_kb     that ru_maxrss alone (the figure bench/build.sh printed before tree sampling)

A multi-threaded process is one process here (its threads share one RSS). Pages shared between
processes (libraries, a mapped file) count once per process, as in any summed RSS.
"""
import os
import subprocess
import sys
import threading
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: the fields after the last ')' are fixed
        ppid = int(s[s.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree_rss_kb(root):
    kids = children_map()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss_kb(pid)
        todo.extend(kids.get(pid, ()))
    return total


def main():
    args = sys.argv[1:]
    if len(args) < 3 or "--" not in args:
        sys.exit(__doc__.split("\n\n")[1])
    report = args[0]
    opts, cmd = args[1:args.index("--")], args[args.index("--") + 1:]
    interval = float(opts[opts.index("--interval") + 1]) if "--interval" in opts else 0.1
    if not cmd:
        sys.exit("treerss.py: no command")

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # wait4 (not Popen.wait) for the child's rusage; the zombie stays readable until then
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = 0  # reaped above: keep Popen from waiting again
    rc = os.waitstatus_to_exitcode(status)
    rc = 128 - rc if rc < 0 else rc
    with open(report, "w") as f:
        f.write(f"wall_s\t{wall:.3f}\n")
        f.write(f"tree_rss_kb\t{max(peak, ru.ru_maxrss)}\n")
        f.write(f"maxrss_kb\t{ru.ru_maxrss}\n")
    sys.exit(rc)


if __name__ == "__main__":
    main()
