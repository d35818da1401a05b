"""The map's measured overlay: the funnel lanes, the exit bars on the cards, and their legend.

Two drop-off figures stand on the map, and a reader must never take one for the other:

- the **drop-off lane** is the phase funnel's: of the journeys that reached a phase (the
  furthest phase in the map's order, within the conversion window), those that got no further
  and did not convert. A journey that never reached the first phase is in no phase.
- the **bar at a card's foot** is the exit touchpoint's: of the journeys that touched it, those
  that did not convert and touched it last (the ``dropoff`` table, over all journeys).

Both use one colour scale (ColorBrewer YlOrBr, darker as it grows: it reads in grey and to
red-green colour-blind readers), and each says in its label, tooltip and legend which it is.
A phase nobody reached has no rate: it is grey with ``–``, not the scale's "no drop-off".
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from journeymap.i18n import N_, format_integer, format_percent, format_share, gettext, ngettext
from journeymap.model import JourneyMap
from journeymap.render.charts import model_name
from journeymap.render.layout import LINE_HEIGHT, PADDING, Box, LaneSpec, wrap_text
from journeymap.render.measured import EndedHere, Measured

__all__ = [
    "NOT_REACHED_FILL",
    "dropoff_tips",
    "ended_here_colour",
    "ended_here_svg",
    "ended_here_text",
    "events_text",
    "heat_colour",
    "map_legend",
    "measured_lanes",
    "text_colour",
]

# ColorBrewer's YlOrBr, light yellow to dark brown. Its lightness falls steadily, so the scale
# reads the same in grey and to red-green colour-blind readers; a bar's length says it again.
ENDED_HERE_SCALE = ("#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404")
ENDED_HERE_TRACK = "#dde3e9"
ENDED_HERE_THICKNESS = 4.0
# A phase no journey reached: no rate to colour, so no colour of the scale.
NOT_REACHED_FILL = "#e4e4e4"
LEGEND_FONT_SIZE = 11.0
LEGEND_BAR = 40.0
LEGEND_SWATCH = 96.0


def ended_here_colour(share: float) -> str:
    """The scale's colour of a share: light yellow (0 %) through orange to dark brown (100 %).

    Examples:
        >>> ended_here_colour(0.0), ended_here_colour(1.0)
        ('#fee391', '#993404')
    """
    share = min(1.0, max(0.0, share))
    position = share * (len(ENDED_HERE_SCALE) - 1)
    index = min(int(position), len(ENDED_HERE_SCALE) - 2)
    low, high = ENDED_HERE_SCALE[index], ENDED_HERE_SCALE[index + 1]
    weight = position - index
    channels = (
        round(int(low[i : i + 2], 16) * (1 - weight) + int(high[i : i + 2], 16) * weight)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def heat_colour(rate: float) -> str:
    """The drop-off lane's fill: the bars' scale, so lane and bars read alike.

    The lane was green to red: green read as "excellent" where nobody came, and red-green
    colour-blind readers could not tell the ends apart.
    """
    return ended_here_colour(rate)


def text_colour(fill: str) -> str:
    """White or near-black, whichever contrasts more with ``fill`` (WCAG luminance).

    Examples:
        >>> text_colour("#fee391"), text_colour("#993404")
        ('#222222', '#ffffff')
    """
    linear = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in linear)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    # #222222 has a luminance of 0.016: equal contrast with both at 0.213.
    return "#ffffff" if luminance < 0.213 else "#222222"


def events_text(count: int, language: str) -> str:
    """``12.330 hændelser``, ``1 hændelse``: a count of events in the map's language."""
    message = ngettext("{count} event", "{count} events", count, language)
    return message.format(count=format_integer(count, language))


def _percent(value: object, language: str) -> str:
    return format_percent(float(value or 0.0), language) if isinstance(value, int | float) else "–"


def _dropoff_item(row: dict[str, Any], language: str) -> tuple[str, None, tuple[()], str]:
    """``23 (0.2%)`` on the scale's colour; ``–`` on grey where no journey came."""
    if not int(row.get("reached") or 0):
        return ("–", None, (), NOT_REACHED_FILL)
    rate = float(row.get("dropoff_rate") or 0.0)
    text = f"{format_integer(row['dropped'] or 0, language)} ({format_share(rate, language)})"
    return (text, None, (), heat_colour(rate))


def measured_lanes(journey_map: JourneyMap, measured: Measured, language: str) -> list[LaneSpec]:
    """The lanes Reached, Converted, Drop-off in the funnel, and the events not on the map."""
    reached = LaneSpec("reached", gettext(N_("Reached"), language))
    converted = LaneSpec("converted", gettext(N_("Converted"), language))
    dropoff = LaneSpec("dropoff", gettext(N_("Drop-off in the funnel"), language))
    for phase in journey_map.ordered_phases():
        row = measured.phase_rows.get(phase.id)
        if row is None:
            continue
        reach = _percent(row.get("reach_rate"), language)
        reached.items[phase.id] = [
            (f"{format_integer(row['reached'] or 0, language)} ({reach})", None, (), None)
        ]
        converted.items[phase.id] = [
            (format_integer(row["converted"] or 0, language), None, (), None)
        ]
        dropoff.items[phase.id] = [_dropoff_item(row, language)]
    lanes = [reached, converted, dropoff]
    unmapped = measured.unmapped
    phases = journey_map.ordered_phases()
    if unmapped and phases:
        lane = LaneSpec("unmapped", gettext(N_("Events not on the map"), language))
        lane.items[phases[0].id] = [
            (f"{tp} — {events_text(count, language)}", tp, (), "#fdebd0") for tp, count in unmapped
        ]
        lanes.append(lane)
    return lanes


def dropoff_tips(journey_map: JourneyMap, measured: Measured, language: str) -> dict[str, str]:
    """Phase id -> the drop-off box's tooltip, which says it is the funnel's figure."""
    tips = {}
    for phase in journey_map.ordered_phases():
        row = measured.phase_rows.get(phase.id)
        if row is None:
            continue
        reached = int(row.get("reached") or 0)
        if not reached:
            tips[phase.id] = gettext(
                N_("No journey reached {phase} in the funnel: there is no drop-off rate"),
                language,
            ).format(phase=phase.name)
            continue
        tips[phase.id] = ngettext(
            "{count} of the {reached} journey that reached {phase} got no further in the "
            "funnel and did not convert ({share})",
            "{count} of the {reached} journeys that reached {phase} got no further in the "
            "funnel and did not convert ({share})",
            reached,
            language,
        ).format(
            count=format_integer(row["dropped"] or 0, language),
            reached=format_integer(reached, language),
            phase=phase.name,
            share=format_share(float(row.get("dropoff_rate") or 0.0), language),
        )
    return tips


def ended_here_text(ended_here: EndedHere, language: str) -> str:
    """``34% of the 1,234 journeys that touched it did not convert and touched it last``."""
    message = ngettext(
        "{share} of the {count} journey that touched it did not convert and touched it last "
        "(exit touchpoint)",
        "{share} of the {count} journeys that touched it did not convert and touched it last "
        "(exit touchpoint)",
        ended_here.journeys,
        language,
    )
    return message.format(
        share=format_percent(ended_here.share, language),
        count=format_integer(ended_here.journeys, language),
    )


def _ended_here_bar(x: float, y: float, length: float, share: float) -> str:
    """A track ``length`` long, filled from the left to ``share`` of it in the scale's colour."""
    filled = length * min(1.0, max(0.0, share))
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{ENDED_HERE_THICKNESS:g}" '
        f'fill="{ENDED_HERE_TRACK}"/>'
        f'<rect class="jm-ended-fill" x="{x:.1f}" y="{y:.1f}" width="{filled:.1f}" '
        f'height="{ENDED_HERE_THICKNESS:g}" fill="{ended_here_colour(share)}"/>'
    )


def ended_here_svg(box: Box, ended_here: EndedHere) -> str:
    """The bar along a touchpoint card's foot."""
    # Inside the card's padding: under the last line's descenders, clear of the rounded corners.
    top = box.y + box.height - ENDED_HERE_THICKNESS - 2
    return (
        f'<g class="jm-ended" data-share="{ended_here.share:.4f}" '
        f'data-ended="{ended_here.ended}" data-journeys="{ended_here.journeys}">'
        + _ended_here_bar(box.x + PADDING, top, box.width - 2 * PADDING, ended_here.share)
        + "</g>"
    )


def _legend_text(language: str, *, lane: bool, bars: bool, model: str | None) -> str:
    """What the lane's colours, the cards' bars and their attribution shares are."""
    sentences = []
    if lane:
        sentences.append(
            gettext(
                N_(
                    "Drop-off in the funnel: of the journeys that reached the phase (the "
                    "furthest phase they reached in the map's order), the share that got no "
                    "further and did not convert; grey: no journey reached the phase"
                ),
                language,
            )
        )
    if bars:
        sentences.append(
            gettext(
                N_(
                    "Bar at the foot of a touchpoint (exit touchpoint): of the journeys that "
                    "touched it, the share that did not convert and touched it last (longer "
                    "and darker = more)"
                ),
                language,
            )
        )
    if model:
        sentences.append(
            gettext(
                N_("Attribution on a touchpoint: its share of the conversions under {model}"),
                language,
            ).format(model=model_name(model, language))
        )
    return ". ".join(sentences)


def map_legend(
    top: float,
    width: float,
    language: str,
    *,
    lane: bool,
    bars: bool,
    model: str | None = None,
) -> tuple[str, float]:
    """The legend below the map, of the drop-off lane and the cards' bars: SVG and height.

    With ``model`` (the attribution model whose shares the cards show), it names it too: a
    map image shown on its own says under which model "12 % attribution" was measured.
    """
    text = _legend_text(language, lane=lane, bars=bars, model=model if bars else None)
    lines = wrap_text(text, width - 16, LEGEND_FONT_SIZE)
    spans = " ".join(
        f'<tspan x="8" y="{PADDING + (i + 1) * LINE_HEIGHT - 3:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    parts = [
        f'<g class="jm-ended-legend" transform="translate(0 {top:.1f})">',
        f'<text font-size="{LEGEND_FONT_SIZE:g}" fill="#444">{spans}</text>',
    ]
    row = PADDING + len(lines) * LINE_HEIGHT + 6
    steps = len(ENDED_HERE_SCALE)
    for index in range(steps):
        share = index / (steps - 1)
        x = 8 + index * LEGEND_SWATCH
        parts.append(_ended_here_bar(x, row + 4, LEGEND_BAR, share))
        parts.append(_legend_label(x + LEGEND_BAR + 6, row + 9, format_percent(share, language)))
    if lane:
        x = 8 + steps * LEGEND_SWATCH
        parts.append(
            f'<rect class="jm-not-reached" x="{x:.1f}" y="{row:.1f}" width="{LEGEND_BAR:g}" '
            f'height="12" fill="{NOT_REACHED_FILL}" stroke="#b0b8c0"/>'
        )
        label = "– " + gettext(N_("not reached"), language)
        parts.append(_legend_label(x + LEGEND_BAR + 6, row + 9, label))
    parts.append("</g>")
    return "".join(parts), row + LINE_HEIGHT + PADDING


def _legend_label(x: float, y: float, text: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{LEGEND_FONT_SIZE - 1:g}" fill="#444">'
        f"{escape(text)}</text>"
    )
