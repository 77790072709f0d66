"""Markdown tables and number formatting for run.py and its target modules."""


def fmt(v, spec="{:.2f}"):
    return "-" if v is None else spec.format(v)


def markdown_table(head, rows, row):
    """head, then one line per row (row(r) gives its cells), or the row's error."""
    cols = head.count("|") - 1
    lines = [head, "|" + "---|" * cols]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['target']} | {r['error']} |" + " |" * (cols - 2))
        else:
            lines.append(row(r))
    return "\n".join(lines)


def percentiles(values):
    """{count, p50, p99, max} of values (nearest rank), Nones when empty."""
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))] if v else None  # noqa: E731
    return {"count": len(v), "p50": pick(0.5), "p99": pick(0.99), "max": v[-1] if v else None}
