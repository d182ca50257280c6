"""Charts drawn on the server as SVG: no script and no asset from elsewhere,
so they show on a cheap phone, print well and work offline. Each chart comes
with the table of its numbers (templates/charts/bar_chart.html puts it
beside the picture for screen readers and for anyone who prefers numbers).

Plain functions: they turn labelled values into the geometry a template
draws; the words stay in the templates and the callers' translations.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 22
GAP = 10
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to show yet
    text: str  # the value as the reader sees it, e.g. "72%"
    y: int
    width: float
    highlight: bool = False

    @property
    def short_label(self) -> str:
        return self.label if len(self.label) <= 18 else self.label[:17] + "…"

    @property
    def label_y(self) -> float:
        return self.y + BAR_HEIGHT * 0.72

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    maximum: float
    guide_x: float | None  # a vertical line, e.g. the office's threshold
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - 48


def bar_chart(
    items: list[tuple[str, float | None]],
    *,
    maximum: float = 100,
    suffix: str = "%",
    guide: float | None = None,
    highlight_below: float | None = None,
) -> BarChart:
    """Horizontal bars, one per (label, value), in the order given."""
    plot = WIDTH - LABEL_WIDTH - 48
    bars = []
    for index, (label, value) in enumerate(items):
        shown = max(0.0, min(float(value), maximum)) if value is not None else 0.0
        bars.append(
            Bar(
                label=label,
                value=value,
                text="–" if value is None else f"{value:g}{suffix}",
                y=TOP + index * (BAR_HEIGHT + GAP),
                width=round(plot * shown / maximum, 1) if maximum else 0,
                highlight=highlight_below is not None and value is not None and value < highlight_below,
            )
        )
    height = TOP * 2 + max(len(bars), 1) * (BAR_HEIGHT + GAP)
    guide_x = LABEL_WIDTH + plot * guide / maximum if guide is not None and maximum else None
    return BarChart(bars=bars, height=height, maximum=maximum, guide_x=guide_x)
