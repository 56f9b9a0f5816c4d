#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The chart of every row of run.sh's "bench" lines (stdin) as SVG.

Usage: chart.py OUT.svg
Python's standard library only (the build root has neither gnuplot nor
matplotlib): horizontal bars of the ratios tls_rekey / tls.ko, the median
of the per-round-pair ratios with a min - max whisker, the plain TCP
control under each; then the single-run memory and device rows.
"""
import math
import sys

import summary

LABEL, PANEL, GAP, ROW, TOP = 120, 330, 40, 24, 64
BLUE, GREY, RED = "#3465a4", "#a0a0a0", "#cc0000"


class Svg:
    def __init__(self):
        self.items = []

    def add(self, s):
        self.items.append(s)

    def text(self, x, y, s, size=11, anchor="start", weight="normal", fill="#000"):
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
                 f'font-weight="{weight}" fill="{fill}">{s}</text>')

    def line(self, x1, y1, x2, y2, stroke="#000", width=1, dash=None):
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                 f'stroke="{stroke}" stroke-width="{width}"{d}/>')

    def rect(self, x, y, w, h, fill):
        self.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}"/>')


def panel(svg, x0, y0, title, labels, bars, xmax):
    """bars: per row a list of (median, lo, hi, q1, q3, colour, height): a
    thin whisker lo - hi and a thick one q1 - q3; lo None: no whiskers."""
    scale = PANEL / xmax
    height = ROW * len(labels)
    if x0 + PANEL / 2 - len(title) * 3.4 < 0:
        svg.text(8, y0 - 22, title, 12, "start", "bold")
    else:
        svg.text(x0 + PANEL / 2, y0 - 22, title, 12, "middle", "bold")
    step = 0.25 if xmax <= 2 else 0.5
    for i in range(int(xmax / step) + 1):
        v = i * step
        x = x0 + v * scale
        svg.line(x, y0, x, y0 + height, "#e0e0e0" if v != 1 else RED, 1 if v != 1 else 1.5,
                 None if v != 1 else "4,2")
        svg.text(x, y0 - 6, f"{v:g}", 10, "middle")
    svg.line(x0, y0, x0, y0 + height)
    for r, (label, row) in enumerate(zip(labels, bars)):
        y = y0 + r * ROW + 3
        if x0 == LABEL:
            svg.text(x0 - 6, y + ROW / 2, label, 11, "end")
        for med, lo, hi, q1, q3, colour, h in row:
            svg.rect(x0, y, med * scale, h, colour)
            if lo is not None:
                svg.line(x0 + lo * scale, y + h / 2, x0 + hi * scale, y + h / 2, "#000", 1)
                svg.line(x0 + q1 * scale, y + h / 2, x0 + q3 * scale, y + h / 2, "#000", 3)
                for v in (lo, hi):
                    svg.line(x0 + v * scale, y + 1, x0 + v * scale, y + h - 1, "#000", 1)
            svg.text(x0 + max(med, hi or 0) * scale + 4, y + h - 1, f"{med:.2f}", 9)
            y += h + 1
        svg.line(x0, y0 + (r + 1) * ROW, x0 + PANEL, y0 + (r + 1) * ROW, "#f0f0f0")


def main():
    rounds, singles = summary.parse(sys.stdin)
    table = summary.rows(rounds)
    n = min((len(p) for k in table.values() for p in k.values()), default=0)
    labels = [f"{d} {rec}" for d, rec in table]
    sets = {}
    for field in ("mb_s", "cpu_ns_per_byte"):
        sets[field] = []
        for kinds in table.values():
            t, c = summary.stat(kinds["tls"], field), summary.stat(kinds["tcp"], field)
            sets[field].append([(t[2], t[3], t[4], t[5], t[6], BLUE, 11),
                                (c[2], c[3], c[4], c[5], c[6], GREY, 6)])
    mem, dev = summary.memory(singles), summary.nic(singles)
    slabels, sbars = [], []
    for state, by in mem.items():
        slabels.append(f"memory {state}")
        sbars.append([(by[summary.A][0] / by[summary.B][0], None, None, None, None, BLUE, 11)])
    for d, by in dev.items():
        slabels.append(d)
        sbars.append([(by[summary.A][1] / by[summary.B][1], None, None, None, None, BLUE, 11)])
    tops = [b[2] or b[0] for rows in list(sets.values()) + [sbars] for row in rows for b in row]
    xmax = max(1.5, math.ceil(max(tops, default=1) * 1.1 / 0.25) * 0.25)

    svg = Svg()
    y1 = TOP + 30
    y2 = y1 + ROW * len(labels) + 70
    width = LABEL + 2 * PANEL + GAP + 40
    height = y2 + ROW * len(slabels) + 40
    svg.text(width / 2, 20, f"tls_rekey / tls.ko, TCG VM, 2 vCPUs, TLS 1.3 AES-GCM-128 over loopback, "
             f"{n} rounds per module (ABBA)", 13, "middle", "bold")
    svg.rect(LABEL, 32, 14, 9, BLUE)
    svg.text(LABEL + 18, 41, "kTLS: median of the per-round-pair ratios; whiskers: IQR (thick), min - max", 11)
    svg.rect(LABEL, 47, 14, 6, GREY)
    svg.text(LABEL + 18, 54, "plain TCP in the same rounds: the machine's noise (1 = none)", 11)
    panel(svg, LABEL, y1, "throughput (above 1: tls_rekey faster)", labels, sets["mb_s"], xmax)
    panel(svg, LABEL + PANEL + GAP, y1, "CPU per byte (below 1: tls_rekey cheaper)",
          labels, sets["cpu_ns_per_byte"], xmax)
    if slabels:
        panel(svg, LABEL, y2, "one run each: kernel memory per connected pair; CPU per byte over "
              "the simulated NIC (TLS 1.2, 16 KiB records)", slabels, sbars, xmax)
    with open(sys.argv[1], "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
                f'viewBox="0 0 {width} {height:.0f}" font-family="sans-serif">\n'
                f'<rect width="100%" height="100%" fill="#fff"/>\n')
        f.write("\n".join(svg.items))
        f.write("\n</svg>\n")


if __name__ == "__main__":
    main()
