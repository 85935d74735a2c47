"""Server-side SVG charts: no script, no external asset, Chinese labels drawn by the browser.

Hand-written rather than pygal: the page's CSP forbids inline `style` (pygal puts a
`<style>` element and style attributes in its output), while SVG presentation attributes
(fill, font-size ...) are allowed, print well and need no font on the server.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

FONT = "system-ui, 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
PALETTE = ("#0d6efd", "#198754", "#d63384", "#fd7e14", "#6f42c1", "#20c997")
GRID, INK, MUTED = "#dee2e6", "#212529", "#6c757d"
WIDTH = 720


@dataclass(frozen=True)
class Bar:
    label: str
    value: Optional[float]
    #: Shown after the bar instead of the value (e.g. "85.0%（17/20）").
    text: str = ""
    href: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Optional[float]]


def _text(x: float, y: float, content: str, anchor: str = "start", size: int = 12,
          fill: str = INK, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}" font-family="{FONT}">{escape(content)}</text>')


def _svg(height: float, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(title: str, bars: Sequence[Bar], max_value: float = 100.0, unit: str = "%") -> Markup:
    """Horizontal bars, one per row, labels on the left; a missing value is drawn as "无数据"."""
    row, top, label_w, value_w = 26, 30, 170, 150
    plot_w = WIDTH - label_w - value_w - 10
    height = top + row * max(len(bars), 1) + 10
    body = [_text(0, 18, title, size=14, weight="bold")]
    for i, bar in enumerate(bars):
        y = top + i * row
        label = bar.label if len(bar.label) <= 12 else bar.label[:11] + "…"
        body.append(_text(label_w - 8, y + 17, label, anchor="end"))
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{plot_w}" height="{row - 8}" fill="#f1f3f5"/>')
        if bar.value is None:
            body.append(_text(label_w + 6, y + 17, _("无数据"), fill=MUTED))
            continue
        width = plot_w * min(max(bar.value / max_value, 0.0), 1.0) if max_value else 0
        rect = (f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row - 8}" fill="{PALETTE[0]}">'
                f"<title>{escape(bar.label)}：{escape(bar.text or _fmt(bar.value, unit))}</title></rect>")
        if bar.href:
            rect = f'<a href="{escape(bar.href)}">{rect}</a>'
        body.append(rect)
        body.append(_text(label_w + plot_w + 8, y + 17, bar.text or _fmt(bar.value, unit)))
    return _svg(height, title, body)


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series],
               max_value: Optional[float] = None, unit: str = "%") -> Markup:
    """Lines over periods; a None value breaks the line (a period with no data is not a zero)."""
    left, right, top, bottom = 52, 16, 52, 40
    height = 280
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    known = [v for s in series for v in s.values if v is not None]
    if max_value is not None:
        top_value, steps = max_value, 4
    else:
        step = _nice_step(max(known, default=0))
        steps = max(int(-(-max(known, default=0) // step)), 1)
        top_value = step * steps
    body = [_text(0, 18, title, size=14, weight="bold")]
    for i, s in enumerate(series):  # legend
        x = i * 170
        body.append(f'<rect x="{x}" y="28" width="14" height="4" fill="{PALETTE[i % len(PALETTE)]}"/>')
        body.append(_text(x + 20, 35, s.name, size=12))
    for tick in range(steps + 1):  # grid and y labels
        value = top_value * tick / steps
        y = top + plot_h - plot_h * tick / steps
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, _fmt(value, unit, axis=True), anchor="end", size=11, fill=MUTED))
    n = max(len(labels), 1)
    xs = [left + plot_w * (i + 0.5) / n for i in range(n)]
    for x, label in zip(xs, labels):
        body.append(_text(x, height - bottom + 18, label, anchor="middle", size=11, fill=MUTED))

    def y_of(value: float) -> float:
        return top + plot_h - (plot_h * min(value / top_value, 1.0) if top_value else 0)

    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        for segment in _segments(list(zip(xs, s.values))):
            points = " ".join(f"{x:.1f},{y_of(v):.1f}" for x, v in segment)
            if len(segment) > 1:
                body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for x, value, label in zip(xs, s.values, labels):
            if value is not None:
                body.append(f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="3.5" fill="{colour}">'
                            f"<title>{escape(s.name)} {escape(label)}：{_fmt(value, unit)}</title></circle>")
    if not known:
        body.append(_text(left + plot_w / 2, top + plot_h / 2, _("无数据"), anchor="middle", fill=MUTED))
    return _svg(height, title, body)


def _segments(points):
    segment = []
    for x, value in points:
        if value is None:
            if segment:
                yield segment
            segment = []
        else:
            segment.append((x, value))
    if segment:
        yield segment


def _nice_step(value: float) -> float:
    """A grid step of 1, 2 or 5 times a power of ten giving at most five steps up to `value`."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * 5 >= value:
                return float(factor * magnitude)
        magnitude *= 10


def _fmt(value: float, unit: str, axis: bool = False) -> str:
    if unit == "%":
        return f"{value:.0f}%" if axis else f"{value:.1f}%"
    return f"{value:,.0f}"
