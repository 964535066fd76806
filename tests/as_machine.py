#!/usr/bin/env python3
"""Rewrites a report's machine fingerprint, so a test can see what another machine's report does.

  as_machine.py REPORT OUT --cpu NAME   the report as NAME's (one of CPUS below) would say it
  as_machine.py REPORT OUT --other      a machine that differs from the report's own in every
                                        fingerprint field (derived from the report, never a
                                        constant: it differs whatever machine wrote REPORT)
  as_machine.py --list                  the names --cpu takes

Only `machine` is rewritten; the tool, the results and the benchmarks stay as they were.
"""
import argparse
import json
import sys

# Real CPUs of both vendors and both vector widths, as ropebench's machine record describes them.
_AVX2 = ["avx", "avx2", "f16c", "fma", "rdtscp", "sse4_1", "sse4_2", "ssse3"]
_AVX512 = _AVX2 + ["avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl"]
_AVX2_TARGETS = ["AVX2", "SSE4", "SSSE3", "SCALAR"]
CPUS = {
    "amd-epyc-7b13": {  # Zen 3, AVX2 only
        "vendor": "AuthenticAMD", "family": 25, "model": 1, "stepping": 1,
        "brand": "AMD EPYC 7B13 64-Core Processor", "isa_flags": _AVX2,
        "highway": {"chosen": "AVX2", "supported": _AVX2_TARGETS, "bf16_rounding": "integer"},
    },
    "amd-epyc-9b14": {  # Zen 4, AVX-512 with BF16
        "vendor": "AuthenticAMD", "family": 25, "model": 17, "stepping": 1,
        "brand": "AMD EPYC 9B14 96-Core Processor", "isa_flags": _AVX512 + ["avx512_bf16"],
        "highway": {"chosen": "AVX3", "supported": ["AVX3"] + _AVX2_TARGETS,
                    "bf16_rounding": "AVX512_BF16"},
    },
    "intel-xeon-8481c": {  # Sapphire Rapids, AVX-512 with BF16
        "vendor": "GenuineIntel", "family": 6, "model": 143, "stepping": 8,
        "brand": "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz",
        "isa_flags": _AVX512 + ["avx512_bf16", "avx512_fp16"],
        "highway": {"chosen": "AVX3", "supported": ["AVX3"] + _AVX2_TARGETS,
                    "bf16_rounding": "AVX512_BF16"},
    },
    "intel-xeon-e5-2690v4": {  # Broadwell, AVX2 only
        "vendor": "GenuineIntel", "family": 6, "model": 79, "stepping": 1,
        "brand": "Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz", "isa_flags": _AVX2,
        "highway": {"chosen": "AVX2", "supported": _AVX2_TARGETS, "bf16_rounding": "integer"},
    },
}


def as_cpu(machine, name):
    cpu = CPUS[name]
    for key, value in cpu.items():
        if key == "highway":
            machine.setdefault("highway", {}).update(value)
        else:
            machine[key] = value


def other_than(machine):
    """Every fingerprint field changed from the report's own value."""
    machine["vendor"] = "Other" + str(machine.get("vendor", ""))
    for key in ("family", "model", "stepping"):
        machine[key] = int(machine.get(key, 0)) + 1
    machine["brand"] = "another CPU than " + str(machine.get("brand", "?"))
    machine["isa_flags"] = sorted(set(machine.get("isa_flags", [])) ^ {"other_isa_flag"})
    highway = machine.setdefault("highway", {})
    highway["chosen"] = "OTHER_THAN_" + str(highway.get("chosen", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?")
    parser.add_argument("out", nargs="?")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--cpu", choices=sorted(CPUS))
    group.add_argument("--other", action="store_true")
    group.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join(sorted(CPUS)))
        return 0
    if not args.report or not args.out:
        parser.error("REPORT and OUT are required")
    with open(args.report) as f:
        report = json.load(f)
    machine = report.setdefault("machine", {})
    if args.other:
        other_than(machine)
    else:
        as_cpu(machine, args.cpu)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
