"""Every picture in words: text alternatives made from the numbers a picture shows .

Each function takes what the picture drew (arrays and labels) and returns one or a few sentences, what a
sighted learner reads off the picture: which word attends most to which, where an arrow points, which bar
is tallest, where a curve goes. ``table_html`` gives the numbers themselves. numpy only.
"""

from __future__ import annotations

import html

import numpy as np

MAX_LISTED = 12  # rows named one by one; a larger picture is summarised


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "blank"
    return f"{v:.2f}" if abs(v) < 1000 else f"{v:.3g}"


def _labels(labels, n: int, default: str) -> list[str]:
    if labels is None:
        return [f"{default} {i}" for i in range(n)]
    labels = [str(x) for x in labels]
    if len(labels) != n:
        raise ValueError(f"{len(labels)} {default} labels for {n} {default}s.")
    return labels


def _titled(kind: str, title: str) -> str:
    title = title.strip()
    return f"{kind} '{title}'" if title else kind


def attention(weights, queries=None, keys=None, title: str = "") -> str:
    """Which key each query attends to most, e.g. 'money attends most to money (0.40), bank to bank (0.42)'.
    (n_q, n_k) -> str"""
    W = np.atleast_2d(np.asarray(weights, dtype=float))
    q = _labels(queries, W.shape[0], "query")
    k = _labels(keys, W.shape[1], "key")
    head = f"{_titled('Attention weights', title)}, {W.shape[0]} queries x {W.shape[1]} keys"
    if W.shape[0] > MAX_LISTED:
        top = np.nanargmax(np.where(np.isfinite(W), W, -1), axis=1)
        share = float(np.mean([W[i, j] for i, j in enumerate(top)]))
        return f"{head}: each query's largest weight is {share:.2f} on average."
    parts = []
    for i, row in enumerate(W):
        finite = np.where(np.isfinite(row), row, -1)
        j = int(np.argmax(finite))
        target = k[j]
        parts.append(
            f"{q[i]} attends most to {target} ({_fmt(row[j])})" if i == 0 else f"{q[i]} to {target} ({_fmt(row[j])})"
        )
    return f"{head}: " + ", ".join(parts) + "."


def heatmap(matrix, row_labels=None, col_labels=None, title: str = "") -> str:
    """A heatmap of values: its size, range and each row's largest entry. (n_rows, n_cols) -> str"""
    M = np.atleast_2d(np.asarray(matrix, dtype=float))
    rows = _labels(row_labels, M.shape[0], "row")
    cols = _labels(col_labels, M.shape[1], "column")
    finite = M[np.isfinite(M)]
    head = f"{_titled('Heatmap', title)}, {M.shape[0]} rows x {M.shape[1]} columns"
    if finite.size == 0:
        return f"{head}, every cell blank."
    text = f"{head}, values from {_fmt(finite.min())} to {_fmt(finite.max())}"
    if M.shape[0] > MAX_LISTED or M.shape[1] > 64:
        return text + "."
    parts = []
    for i, row in enumerate(M):
        if np.isfinite(row).any():
            j = int(np.nanargmax(np.where(np.isfinite(row), row, -np.inf)))
            parts.append(f"{rows[i]} {cols[j]} ({_fmt(row[j])})")
    return f"{text}. Largest in each row: " + ", ".join(parts) + "."


def vectors(V, labels, title: str = "", xlabel: str = "", ylabel: str = "") -> str:
    """Arrows from the origin: where each one points, and its length. (n, 2) -> str"""
    V = np.asarray(V, dtype=float)
    if V.ndim != 2 or V.shape[1] != 2:
        raise ValueError(f"arrows need an (n, 2) array, got shape {V.shape}.")
    labels = _labels(labels, len(V), "arrow")
    axes = f" (x: {xlabel}, y: {ylabel})" if xlabel or ylabel else ""
    parts = [f"{label} to ({_fmt(x)}, {_fmt(y)}), length {_fmt(np.hypot(x, y))}" for label, (x, y) in zip(labels, V)]
    return f"{_titled('Arrows from the origin', title)}{axes}: " + "; ".join(parts) + "."


def bars(values, labels, title: str = "", ylabel: str = "") -> str:
    """A bar chart: every bar's height, and the tallest. (n,) -> str"""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"bars need (n,) values, got shape {v.shape}.")
    labels = _labels(labels, v.size, "bar")
    what = f" ({ylabel})" if ylabel else ""
    listed = ", ".join(f"{label} {_fmt(x)}" for label, x in zip(labels, v))
    i = int(np.argmax(v))
    return f"{_titled('Bar chart', title)}{what}: {listed}. Tallest: {labels[i]} ({_fmt(v[i])})."


def _trend(y: np.ndarray) -> str:
    span = float(np.ptp(y))
    scale = max(float(np.max(np.abs(y))), 1e-12)
    if span <= 0.05 * scale:
        return "about flat"
    d = np.diff(y)
    if (d >= 0).all():
        return "rising"
    if (d <= 0).all():
        return "falling"
    i = int(np.argmax(y)) if abs(y.max() - y[0]) >= abs(y.min() - y[0]) else int(np.argmin(y))
    return f"not steady: {'highest' if y[i] == y.max() else 'lowest'} at point {i + 1} ({_fmt(y[i])})"


def lines(x, series: dict, title: str = "", xlabel: str = "", ylabel: str = "") -> str:
    """A line chart: for each line, where it starts, where it ends, and whether it rises or falls.
    (n,), {name: (n,)} -> str"""
    x = np.asarray(x, dtype=float)
    xname = xlabel or "x"
    parts = []
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"a line chart needs (n,) x values, got shape {x.shape}.")
    for name, y in series.items():
        y = np.asarray(y, dtype=float)
        if y.shape != x.shape:
            raise ValueError(f"series '{name}' has shape {y.shape}, x has {x.shape}.")
        parts.append(f"'{name}' goes from {_fmt(y[0])} to {_fmt(y[-1])} ({_trend(y)})")
    what = f" of {ylabel}" if ylabel else ""
    return (
        f"{_titled('Line chart', title)}{what} against {xname} from {_fmt(x[0])} to {_fmt(x[-1])}: "
        + "; ".join(parts)
        + "."
    )


def diagram(steps) -> str:
    """A pipeline of boxes and arrows. [str] -> str"""
    return "Diagram: " + " -> ".join(str(s) for s in steps) + "."


def several(descriptions) -> str:
    """Pictures side by side, described one after the other. [str] -> str"""
    descriptions = list(descriptions)
    return (
        f"{len(descriptions)} pictures side by side. " + " ".join(descriptions)
        if len(descriptions) > 1
        else "".join(descriptions)
    )


def table_html(matrix, row_labels=None, col_labels=None, caption: str = "") -> str:
    """The numbers behind a picture as an HTML table, escaped, with header cells for screen readers.
    (n_rows, n_cols) -> str"""
    M = np.atleast_2d(np.asarray(matrix, dtype=float))
    rows = _labels(row_labels, M.shape[0], "row")
    cols = _labels(col_labels, M.shape[1], "column")
    e = html.escape
    head = "".join(f'<th scope="col">{e(c)}</th>' for c in cols)
    body = "".join(
        f'<tr><th scope="row">{e(r)}</th>' + "".join(f"<td>{e(_fmt(v))}</td>" for v in row) + "</tr>"
        for r, row in zip(rows, M)
    )
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f'<table class="sa-numbers">{cap}<thead><tr><td></td>{head}</tr></thead><tbody>{body}</tbody></table>'


# ---------------------------------------------------------------- the numbers of a picture that is not a widget
MAX_TABLE_CELLS = 150  # a heatmap with more cells is summarised by its words only (a 6 x 50 table reads as noise)
MAX_TABLE_ROWS = 21  # a line chart lists its values at this many points at most, evenly spread, first and last


def _number(v: float) -> str:
    """An x value as a row label: 12 rather than 12.00. float -> str"""
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else _fmt(v)


def heatmap_table(matrix, row_labels=None, col_labels=None, title: str = "") -> str:
    """A heatmap's numbers as a table, or "" when it has more than MAX_TABLE_CELLS cells. (n, m) -> str"""
    M = np.atleast_2d(np.asarray(matrix, dtype=float))
    return "" if M.size > MAX_TABLE_CELLS else table_html(M, row_labels, col_labels, title or "the numbers")


def lines_table(x, series: dict, xlabel: str = "") -> str:
    """A line chart's values, one row per x (at most MAX_TABLE_ROWS, evenly spread). (n,), {name: (n,)} -> str"""
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"a line chart needs (n,) x values, got shape {x.shape}.")
    for name, y in series.items():
        if np.shape(y) != x.shape:
            raise ValueError(f"series '{name}' has shape {np.shape(y)}, x has {x.shape}.")
    rows = np.unique(np.linspace(0, x.size - 1, min(x.size, MAX_TABLE_ROWS)).round().astype(int))
    Y = np.column_stack([np.asarray(y, dtype=float)[rows] for y in series.values()])
    some = f" at {rows.size} of its {x.size} points" if rows.size < x.size else ""
    caption = f"the values{some}; each row is one {xlabel or 'x'}"
    return table_html(Y, [_number(v) for v in x[rows]], list(series), caption)


def bars_table(values, labels, ylabel: str = "") -> str:
    """A bar chart's heights, one row per bar. (n,) -> str"""
    v = np.asarray(values, dtype=float)
    return table_html(v[:, None], labels, [ylabel or "value"], "the heights of the bars")


def vectors_table(V, labels, xlabel: str = "", ylabel: str = "") -> str:
    """Arrows' coordinates, one row per arrow. (n, 2) -> str"""
    return table_html(V, labels, [xlabel or "x", ylabel or "y"], "where each arrow points")
