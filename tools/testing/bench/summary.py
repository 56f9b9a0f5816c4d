#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The summary table of run.sh's "bench key=value..." lines (stdin).

Rounds run in ABBA order, so rounds 2p and 2p+1 hold one round of each
module: a row's ratio tls_rekey / tls.ko is the median of the per-pair
ratios, its spread their interquartile range and min - max. The tcp control is the same transfer
over plain TCP, measured in both rounds of a pair: its ratio would be 1.00
on a quiet machine.
"""
import statistics
import sys

A, B = "tls_rekey", "tls.ko"
DIRS = ("tx", "rx", "e2e")


def parse(lines):
    """(round lines, single lines) as dicts."""
    rounds, singles = [], []
    for line in lines:
        if line.startswith("bench "):
            kv = dict(x.split("=", 1) for x in line.split()[1:])
            (rounds if "round" in kv else singles).append(kv)
    return rounds, singles


def record_key(rec):
    return (1 << 30) if rec == "sendfile" else int(rec)


def rows(rounds):
    """{(dir, record): {kind: [(tls_rekey run, tls.ko run) per pair]}}"""
    runs = {}
    for kv in rounds:
        key = (kv["dir"], kv["record"])
        runs.setdefault(key, {}).setdefault(kv["kind"], {})[int(kv["round"])] = kv
    out = {}
    for key in sorted(runs, key=lambda k: (DIRS.index(k[0]), record_key(k[1]))):
        out[key] = {}
        for kind, by_round in runs[key].items():
            pairs = []
            for p in range(max(by_round) // 2 + 1):
                x, y = by_round.get(2 * p), by_round.get(2 * p + 1)
                if x and y:
                    pairs.append((x, y) if x["module"] == A else (y, x))
            out[key][kind] = pairs
    return out


def stat(pairs, field):
    """(median tls_rekey, median tls.ko, median ratio, min ratio, max ratio,
    first quartile, third quartile of the ratios)"""
    a = [float(x[field]) for x, _ in pairs]
    b = [float(y[field]) for _, y in pairs]
    r = [x / y for x, y in zip(a, b)]
    q = statistics.quantiles(r, n=4, method="inclusive") if len(r) > 1 else r * 3
    return (statistics.median(a), statistics.median(b), statistics.median(r),
            min(r), max(r), q[0], q[2])


def memory(singles):
    """{state: {module: (KiB per pair, slab KiB per pair)}}"""
    out = {}
    for kv in singles:
        if kv["dir"] == "mem":
            out.setdefault(kv["state"], {})[kv["module"]] = (
                float(kv["kib_per_pair"]), float(kv["slab_kib_per_pair"]))
    return out


def is_rekey_row(d):
    return d.startswith(("tx13-", "rx13-"))


def nic(singles):
    """{row: {module: (median MB/s, median CPU ns/B)}} of the TLS 1.2 rows"""
    runs = {}
    for kv in singles:
        if kv["dir"] != "mem" and not is_rekey_row(kv["dir"]) and not kv["dir"].startswith("stall13-"):
            runs.setdefault(kv["dir"], {}).setdefault(kv["module"], []).append(
                (float(kv["mb_s"]), float(kv["cpu_ns_per_byte"])))
    return {d: {m: (statistics.median(x for x, _ in v), statistics.median(c for _, c in v))
                for m, v in by.items()} for d, by in runs.items()}


def rekey(singles):
    """{row: {module: (median MB/s, median CPU ns/B, median software
    records per KeyUpdate or None)}} of the TLS 1.3 rekey rows"""
    runs = {}
    for kv in singles:
        if is_rekey_row(kv["dir"]):
            runs.setdefault(kv["dir"], {}).setdefault(kv["module"], []).append(kv)
    out = {}
    for d, by in runs.items():
        out[d] = {}
        for m, v in by.items():
            burst = [int(kv["rx_sw_records"]) / int(kv["rekeys"])
                     for kv in v if int(kv.get("rekeys", 0))]
            out[d][m] = (statistics.median(float(kv["mb_s"]) for kv in v),
                         statistics.median(float(kv["cpu_ns_per_byte"]) for kv in v),
                         statistics.median(burst) if burst else None)
    return out


def stall(singles, rk):
    """{row: (median wall and CPU microseconds per KeyUpdate beyond the
    base row, median software records per KeyUpdate)} of the stall rows"""
    runs = {}
    for kv in singles:
        if kv["dir"].startswith("stall13-") and kv["module"] == A and int(kv.get("rekeys", 0)):
            runs.setdefault(kv["dir"], []).append(kv)
    out = {}
    for d, v in runs.items():
        base = "rx13-" + d.split("-")[1]
        if A not in rk.get(base, {}):
            continue
        mb_s, cpu_ns = rk[base][A][:2]
        out[d] = (statistics.median((float(kv["wall_s"]) - int(kv["bytes"]) / 1e6 / mb_s) * 1e6
                                    / int(kv["rekeys"]) for kv in v),
                  statistics.median((float(kv["cpu_ns_per_byte"]) - cpu_ns) * int(kv["bytes"]) / 1e3
                                    / int(kv["rekeys"]) for kv in v),
                  statistics.median(int(kv["rx_sw_records"]) / int(kv["rekeys"]) for kv in v))
    return out


def grown(runs):
    """(runs whose receiving socket ended with at least twice its initial
    receive buffer, runs, median KiB at EOF)"""
    runs = [kv for kv in runs if "rcvbuf" in kv]
    big = sum(int(kv["rcvbuf"]) >= 2 * int(kv["rcvbuf_initial"]) > 0 for kv in runs)
    kib = statistics.median(int(kv["rcvbuf"]) / 1024 for kv in runs) if runs else float("nan")
    return big, len(runs), kib


def spread(s):
    return f"{s[2]:5.2f} {s[5]:4.2f}-{s[6]:4.2f} {s[3]:4.2f}-{s[4]:4.2f}"


def main():
    rounds, singles = parse(sys.stdin)
    table = rows(rounds)
    n = min((len(p) for k in table.values() for p in k.values()), default=0)
    print(f"tls_rekey / tls.ko over loopback, TLS 1.3 AES-GCM-128, {n} rounds per module (ABBA):")
    print("medians of the rounds; ratio: median, IQR and min-max of the per-round-pair ratios;")
    print("tcp: the same transfer over plain TCP in the same rounds (its ratio is the noise)")
    for field, unit in (("mb_s", "MB/s"), ("cpu_ns_per_byte", "CPU ns/B")):
        print()
        print(f"{'dir':4} {'record':8} {A + ' ' + unit:>18} {B:>8} {'ratio   IQR   min-max':>25}"
              f"   {'tcp ' + unit:>13} {'tcp ratio IQR   min-max':>25}")
        for (d, rec), kinds in table.items():
            t, c = stat(kinds["tls"], field), stat(kinds["tcp"], field)
            line = (f"{d:4} {rec:8} {t[0]:18.2f} {t[1]:8.2f} {spread(t):>25}"
                    f"   {c[0]:13.2f} {spread(c):>25}")
            if field != "mb_s" and d == "e2e":
                tx, rx = (stat(kinds["tls"], f + "_cpu_ns_per_byte") for f in ("tx", "rx"))
                line += f"   tx+rx {tx[0]:.2f}+{rx[0]:.2f} / {tx[1]:.2f}+{rx[1]:.2f}"
            print(line)
    if table:
        print()
        print("receiving socket's SO_RCVBUF at EOF (TCP's autotuning): rounds that grew it to twice")
        print("its initial size or more, of the rounds; median KiB (tcp: both modules' rounds)")
        print(f"{'dir':4} {'record':8} {A + ' grew':>14} {'KiB':>6}   {B + ' grew':>11} {'KiB':>6}"
              f"   {'tcp grew':>9} {'KiB':>6}")
        for (d, rec), kinds in table.items():
            if d == "tx":
                continue
            line = f"{d:4} {rec:8}"
            tls, tcp = kinds["tls"], kinds["tcp"]
            for runs, w in (([x for x, _ in tls], 14), ([y for _, y in tls], 11),
                            ([kv for p in tcp for kv in p], 9)):
                big, n, kib = grown(runs)
                line += f" {f'{big}/{n}':>{w}} {kib:6.0f}  "
            print(line.rstrip())
    mem = memory(singles)
    if mem:
        print()
        print("kernel memory per connected pair (each end TLS_TX and TLS_RX, TLS 1.3 AES-GCM-128), one run")
        print(f"{'state':6} {A + '_KiB':>13} {B + '_KiB':>10} ratio  {A + '_slab_KiB':>18} {B + '_slab_KiB':>15}")
        for state, by in mem.items():
            (k1, s1), (k2, s2) = by[A], by[B]
            print(f"{state:6} {k1:13.1f} {k2:10.1f} {k1 / k2:5.2f}  {s1:18.1f} {s2:15.1f}")
    dev = nic(singles)
    if dev:
        print()
        print("over the simulated NIC, TLS 1.2, 16 KiB records: median of the runs of each module;")
        print("x sw: CPU per byte against nic-sw of the same module")
        print(f"{'row':16} {A + ' MB/s':>14} {B:>8} {A + ' ns/B':>14} {B:>8} ratio  {A + ' x sw':>14} {B:>8}")
        for d, by in dev.items():
            (m1, c1), (m2, c2) = by[A], by[B]
            sw = d.split("-")[0] + "-nic-sw"
            print(f"{d:16} {m1:14.1f} {m2:8.1f} {c1:14.2f} {c2:8.2f} {c1 / c2:5.2f}"
                  f"  {c1 / dev[sw][A][1]:14.2f} {c2 / dev[sw][B][1]:8.2f}")
        if "tx-nic-fallback" in dev and "tx-nic-dev" in dev:
            print("fallback cost per 16 KiB record sealed again (tx-nic-fallback - tx-nic-dev): "
                  + ", ".join(f"{m} {(dev['tx-nic-fallback'][m][1] - dev['tx-nic-dev'][m][1]) * 16.384:.1f} us"
                              for m in (A, B)))
    rk = rekey(singles)
    if rk:
        print()
        print("TLS 1.3 over the simulated NIC, 16 KiB records, -rekey: a KeyUpdate every 64 records;")
        print("sw: in software, devN: the NIC holding N key generations per flow; median of the runs;")
        print("x base: CPU per byte against the same row without KeyUpdates; sw/KU: records the")
        print("receiver opened in software per KeyUpdate (RX burst)")
        print(f"{'row':18} {A + ' MB/s':>14} {'ns/B':>6} {'x base':>6} {'sw/KU':>5}"
              f"   {B + ' MB/s':>11} {'ns/B':>6} {'x base':>6}")
        for d in sorted(rk, key=lambda d: (d[:2] != "tx", d)):
            base = d[:-len("-rekey")] if d.endswith("-rekey") else d
            line = f"{d:18}"
            for m, w in ((A, 14), (B, 11)):
                if m not in rk[d]:
                    continue
                mb, c, burst = rk[d][m]
                xb = c / rk[base][m][1] if m in rk.get(base, {}) else float("nan")
                line += f" {mb:{w}.1f} {c:6.2f} {xb:6.2f}"
                if m == A:
                    shown = burst is not None and "-dev" in d
                    line += f" {burst:5.1f}  " if shown else f" {'':5}  "
            print(line)
    st = stall(singles, rk)
    if st:
        print()
        print(f"{A}: RX stall per KeyUpdate, a KeyUpdate after every 16 KiB record, taken by the")
        print("receiving program with TLS_RX (upstream) or by the kernel's key schedule (kernel):")
        print("wall and CPU time beyond the same row without KeyUpdates (rx13-ROW), per KeyUpdate;")
        print("sw/KU as above")
        print(f"{'row':22} {'wall us/KU':>10} {'CPU us/KU':>10} {'sw/KU':>6}")
        for d in sorted(st):
            us, cpu_us, burst = st[d]
            print(f"{d:22} {us:10.1f} {cpu_us:10.1f} {burst:6.2f}")


if __name__ == "__main__":
    main()
