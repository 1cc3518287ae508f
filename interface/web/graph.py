"""Draw an argument map as an SVG tree: the proposition on the left, reasons to its right.

Support edges are green, attack edges red; article claims have solid borders and reader
comments dashed amber ones, so the two never look alike. Pure layout, no JavaScript.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from interface.web.render import KIND_LABELS, escape

NODE_WIDTH = 280
COLUMN_GAP = 70
LINE_HEIGHT = 16
PADDING = 10
ROW_GAP = 14
MAX_LINES = 5
CHARS_PER_LINE = 36
FILL = {"root": "#eef2ff", "article": "#eff6ff", "comment": "#fff7ed", "reference": "#ecfdf5"}
STROKE = {"root": "#4338ca", "article": "#1d4ed8", "comment": "#b45309", "reference": "#047857"}
EDGE = {"pro": "#15803d", "con": "#b91c1c", "objection": "#b91c1c"}


@dataclass(frozen=True)
class GraphNode:
    """One box of the map: the proposition (side "root") or a reason for or against its parent."""

    id: str
    label: str
    side: str  # root | pro | con | objection (attacks its parent claim)
    kind: str = "article"  # the source kind of the claim (article, comment, ...)
    parent: str | None = None
    note: str = ""  # e.g. "3 of 13 comments" or a citation count


@dataclass(frozen=True)
class _Box:
    node: GraphNode
    x: float
    y: float
    height: float
    lines: tuple[str, ...]


def _lines(node: GraphNode) -> tuple[str, ...]:
    lines = textwrap.wrap(node.label, CHARS_PER_LINE) or [""]
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1][: CHARS_PER_LINE - 1] + "…"]
    header = "Proposition" if node.side == "root" else (
        f"{node.side.capitalize()} · {KIND_LABELS.get(node.kind, node.kind)}")
    if node.note:
        header += f" · {node.note}"
    return (header, *lines)


def layout(nodes: list[GraphNode]) -> list[_Box]:
    """Place each node: depth sets the column, leaves stack down, parents centre on children."""
    children: dict[str | None, list[GraphNode]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    boxes: dict[str, _Box] = {}
    cursor = [PADDING]  # where the next leaf goes
    free: dict[int, float] = {}  # the first free y in each column

    def place(node: GraphNode, depth: int) -> None:
        lines = _lines(node)
        height = len(lines) * LINE_HEIGHT + 2 * PADDING
        x = PADDING + depth * (NODE_WIDTH + COLUMN_GAP)
        kids = children.get(node.id, [])
        for kid in kids:
            place(kid, depth + 1)
        if kids:
            first, last = boxes[kids[0].id], boxes[kids[-1].id]
            y = (first.y + first.height / 2 + last.y + last.height / 2) / 2 - height / 2
        else:
            y = cursor[0]
        y = max(y, free.get(depth, PADDING))
        free[depth] = y + height + ROW_GAP
        cursor[0] = max(cursor[0], y + height + ROW_GAP)
        boxes[node.id] = _Box(node, x, y, height, lines)

    for root in children.get(None, []):
        place(root, 0)
    return list(boxes.values())


def svg(nodes: list[GraphNode]) -> str:
    """The map as an inline SVG element."""
    boxes = layout(nodes)
    if not boxes:
        return ""
    by_id = {box.node.id: box for box in boxes}
    width = max(b.x for b in boxes) + NODE_WIDTH + PADDING
    height = max(b.y + b.height for b in boxes) + PADDING
    edges = [_edge(by_id[b.node.parent], b) for b in boxes if b.node.parent in by_id]
    shapes = [_box(b) for b in boxes]
    return (f'<svg class="cp-map-graph" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
            f'role="img" aria-label="argument map">{"".join(edges)}{"".join(shapes)}</svg>')


def _edge(parent: _Box, child: _Box) -> str:
    x1, y1 = parent.x + NODE_WIDTH, parent.y + parent.height / 2
    x2, y2 = child.x, child.y + child.height / 2
    middle = (x1 + x2) / 2
    colour = EDGE.get(child.node.side, "#64748b")
    sign = "+" if child.node.side == "pro" else "−"
    return (f'<path d="M{x1:.0f},{y1:.0f} C{middle:.0f},{y1:.0f} {middle:.0f},{y2:.0f} '
            f'{x2:.0f},{y2:.0f}" fill="none" stroke="{colour}" stroke-width="2"/>'
            f'<text x="{x2 - 14:.0f}" y="{y2 - 4:.0f}" fill="{colour}" font-weight="700" '
            f'font-size="16">{sign}</text>')


def _box(box: _Box) -> str:
    style = "root" if box.node.side == "root" else box.node.kind
    stroke = STROKE.get(style, "#334155")
    dash = ' stroke-dasharray="6 4"' if style == "comment" else ""
    texts = "".join(_text_line(box, i, line, stroke) for i, line in enumerate(box.lines))
    return (f'<g class="cp-node cp-node-{escape(box.node.side)} '
            f'cp-kind-{escape(box.node.kind)}-node" data-node="{escape(box.node.id)}">'
            f"<title>{escape(box.node.label)}</title>"
            f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{NODE_WIDTH}" '
            f'height="{box.height:.0f}" rx="8" fill="{FILL.get(style, "#f8fafc")}" '
            f'stroke="{stroke}" stroke-width="{2.5 if style == "root" else 1.5}"{dash}/>'
            f"{texts}</g>")


def _text_line(box: _Box, index: int, line: str, stroke: str) -> str:
    """Line 0 is the small coloured header (side, kind); the rest is the claim."""
    y = box.y + PADDING + (index + 1) * LINE_HEIGHT - 4
    look = (f'font-size="11" font-weight="700" fill="{stroke}"' if index == 0
            else 'font-size="13" fill="#0f172a"')
    return f'<text x="{box.x + PADDING:.0f}" y="{y:.0f}" {look}>{escape(line)}</text>'
