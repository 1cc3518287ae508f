"""Map tab: a proposition in, its pro/con map out as a graph and an outline, with downloads."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr

from documents import Citation, Document
from interface.web.audit import AuditRow, audit_rows
from interface.web.context import (
    Preferences,
    Progress,
    TabContext,
    judging_tools,
    no_progress,
    required_text,
    step_progress,
)
from interface.web.corrections import CLICK_JS, controls_html, off_topic_html, save_click
from interface.web.graph import GraphNode, svg
from interface.web.render import badge, citation_card, error_line, escape, notice
from interface.web.scratch import scratch_folder
from session import Session

# Each step arguments.build_map reports: (progress at its start, at its end, message).
STEPS = {"candidates": (0.12, 0.15, "Searching the documents for and against"),
         "stance": (0.15, 0.7, "Judging passages for and against"),
         "claims": (0.7, 0.8, "Grouping the passages into claims"),
         "objections": (0.8, 0.82, "Linking each claim to its objections"),
         "checks": (0.82, 0.84, "Checking every quote against the stored text")}
# (export format of arguments.export, file suffix, button label)
DOWNLOADS = (("argdown", "argdown", "Argdown"), ("aif", "xaif.json", "xAIF JSON"),
             ("markdown", "md", "Markdown"), ("json", "json", "JSON"))


@dataclass(frozen=True)
class MapView:
    """What the Map tab shows for one proposition."""

    argument_map: object  # arguments.ArgumentMap
    graph: str  # inline SVG
    outline: str  # HTML: pro and con columns, each claim opening to its quotes
    warnings: str  # HTML notices (thin side, nothing found)
    files: dict[str, Path]  # export format -> file
    rows: tuple[AuditRow, ...] = ()
    built: object = None  # the map as built, before a user's corrections


def graph_nodes(argument_map) -> list[GraphNode]:
    """The proposition, its pro and con claims, and their objections, as graph boxes."""
    nodes = [GraphNode("P", argument_map.proposition, "root", "article")]
    for side in ("pro", "con"):
        for number, claim in enumerate(getattr(argument_map, side), start=1):
            node_id = f"{side}{number}"
            nodes.append(GraphNode(node_id, claim.text, side, claim.kind, "P",
                                   _sources(claim)))
            nodes += [GraphNode(f"{node_id}o{i}", o.text, "objection", o.kind, node_id,
                                _sources(o))
                      for i, o in enumerate(claim.objections, start=1)]
    return nodes


def _sources(claim) -> str:
    n = len(claim.citations)
    return f"{n} source{'s' if n != 1 else ''}"


def outline_html(argument_map, documents: dict[str, Document],
                 rows: tuple[AuditRow, ...] = ()) -> str:
    """Pro and con columns; each claim opens to its quotes highlighted in their paragraphs."""
    verdicts = {(row.claim, row.citation): row for row in rows}
    columns = []
    for side in ("pro", "con"):
        claims = getattr(argument_map, side)
        items = "".join(_claim_html(c, f"map-{side}{i}", documents, verdicts)
                        for i, c in enumerate(claims, start=1))
        empty = notice(f"No {side} claim was found in the documents.", "warn")
        columns.append(f'<div class="cp-side cp-side-{side}"><h4>{side.capitalize()} '
                       f"({len(claims)})</h4>{items or empty}</div>")
    return (f'<div class="cp-outline">{"".join(columns)}</div>'
            f"{off_topic_html(argument_map, documents)}")


def _claim_html(claim, anchor: str, documents, verdicts, objection: bool = False) -> str:
    cards = "".join(
        citation_card(n, c, documents, anchor=f"{anchor}-c{n}",
                      verdict=_verdict(verdicts, claim, c, "verdict"),
                      score=_verdict(verdicts, claim, c, "score"),
                      reason=_verdict(verdicts, claim, c, "reason") or "")
        for n, c in enumerate(claim.citations, start=1))
    objections = "".join(_claim_html(o, f"{anchor}o{i}", documents, verdicts, True)
                         for i, o in enumerate(claim.objections, start=1))
    label = "Objection: " if objection else ""
    strength = claim.strength
    controls = "" if objection else controls_html(claim)
    corrected = " cp-claim-corrected" if claim.corrected else ""
    return (f'<details class="cp-claim cp-kind-{escape(claim.kind)}-card{corrected}" '
            f'id="{anchor}"><summary>{badge(claim.kind)} <b>{label}</b>{escape(claim.text)} '
            f'<span class="cp-meta">stance {strength["stance_score"]:.2f} · '
            f'{strength["sources"]} source(s)</span> {controls}</summary>{cards}'
            f'<div class="cp-objections">{objections}</div></details>')


def _verdict(verdicts, claim, citation: Citation, field: str):
    row = verdicts.get((claim.text, citation))
    return getattr(row, field) if row else None


def warnings_html(argument_map) -> str:
    notes = [notice(w, "warn") for w in argument_map.warnings]
    if not argument_map.pro and not argument_map.con:
        notes.append(notice("The documents hold no claim for or against this proposition.",
                            "warn"))
    return "".join(notes)


def write_exports(argument_map, documents: dict[str, Document],
                  folder: Path | None = None) -> dict[str, Path]:
    """The map in every download format, as files named after the proposition."""
    folder = Path(folder or scratch_folder("map-"))
    stem = re.sub(r"[^A-Za-z0-9]+", "-", argument_map.proposition).strip("-")[:60] or "map"
    files = {}
    for fmt, suffix, _ in DOWNLOADS:
        path = folder / f"{stem}.{suffix}"
        path.write_text(export_text(argument_map, fmt, documents), "utf-8")
        files[fmt] = path
    return files


def export_text(argument_map, fmt: str, documents: dict[str, Document]) -> str:
    """One download's content, written by the argument layer's exporters."""
    from arguments import to_aif, to_argdown, to_markdown

    if fmt == "argdown":
        return to_argdown(argument_map, documents)
    if fmt == "markdown":
        return to_markdown(argument_map, documents)
    data = to_aif(argument_map, documents) if fmt == "aif" else argument_map.to_dict()
    return json.dumps(data, ensure_ascii=False, indent=2)


def map_pairs(argument_map) -> list[tuple[str, Citation]]:
    """(claim, citation) for every citation in the map, for the audit."""
    return [(claim.text, c) for claim in argument_map.claims() for c in claim.citations]


def build_view(session: Session, preferences: Preferences, proposition: str,
               progress: Progress = no_progress, audit: bool = True) -> MapView:
    """Build, correct (as users saved), draw, export and (optionally) audit a map."""
    from arguments import build_map
    from arguments.corrections import corrected_map

    proposition = required_text(
        proposition, "type a proposition, e.g. “Europe should send troops to Ukraine.”")
    model, searcher = judging_tools(session, preferences, progress, "Searching the documents")
    built = build_map(proposition, searcher, model, max_candidates=preferences.map_passages,
                      progress=step_progress(progress, STEPS))
    documents = searcher.documents
    rows: tuple[AuditRow, ...] = ()
    if audit:
        pairs = map_pairs(corrected_map(built, session.corrections_dir, documents))
        progress(0.85, f"Auditing {len(pairs)} citations")
        rows = audit_rows(pairs, documents, model, source="map")
    progress(0.97, "Drawing the map")
    return corrected_view(session, built, documents, rows)


def corrected_view(session: Session, built, documents: dict[str, Document],
                   rows: tuple[AuditRow, ...] = ()) -> MapView:
    """The built map with the corrections saved now, drawn and exported (no model call)."""
    from arguments.corrections import corrected_map

    argument_map = corrected_map(built, session.corrections_dir, documents)
    return MapView(argument_map, svg(graph_nodes(argument_map)),
                   outline_html(argument_map, documents, rows), warnings_html(argument_map),
                   write_exports(argument_map, documents), rows, built)


def correct_view(session: Session, built, rows: tuple[AuditRow, ...], side: str,
                 spans) -> MapView:
    """Save the correction a click asks for, then redraw the built map with it applied."""
    if built is None:
        raise ValueError("build a map first")
    documents = session.searcher().documents
    save_click(session.corrections_dir, built.proposition, side, spans, documents)
    return corrected_view(session, built, documents, rows)


def build_tab(context: TabContext) -> None:
    """The Map tab's components and events (inside a gr.Tab)."""
    session = context.session
    with gr.Row():
        proposition = gr.Textbox(label="Proposition", scale=5, elem_id="map-proposition",
                                 placeholder="e.g. The West should supply Ukraine with "
                                             "long-range missiles.")
        run = gr.Button("Build the map", variant="primary", scale=1, elem_id="map-build")
    warnings = gr.HTML(elem_id="map-warnings")
    with gr.Tabs():
        with gr.Tab("Graph"):
            gr.HTML(_legend_html())
            graph = gr.HTML(elem_id="map-graph")
        with gr.Tab("Outline"):
            outline = gr.HTML(elem_id="map-outline", js_on_load=CLICK_JS)
    built = gr.State(None)  # (the map as built, its audit rows): what a correction redraws
    with gr.Row():
        buttons = [gr.DownloadButton(f"Download {label}", elem_id=f"map-download-{fmt}",
                                     visible=False)
                   for fmt, _, label in DOWNLOADS]

    # Gradio injects a progress tracker into a parameter whose default is gr.Progress().
    def on_build(text, preferences, log, progress=gr.Progress()):  # noqa: B008
        try:
            view = build_view(session, preferences, text,
                              lambda f, m: progress(f, desc=m))
        except Exception as error:  # one line for the user
            hidden = [gr.update(visible=False)] * len(buttons)
            return notice(f"No map: {error_line(error)}", "error"), "", "", log, None, *hidden
        return (*_shown(view)[:3], [*log, *view.rows], (view.built, view.rows),
                *_shown(view)[3:])

    def on_correct(state, event: gr.EventData):
        data = event._data if isinstance(event._data, dict) else {}
        built_map, rows = state or (None, ())
        try:
            view = correct_view(session, built_map, rows, str(data.get("side")),
                                data.get("spans"))
        except Exception as error:  # one line; nothing was saved
            return (notice(f"Not corrected: {error_line(error)}", "error"),
                    *[gr.update()] * (2 + len(buttons)))
        return _shown(view)

    outputs = [warnings, graph, outline, context.session_log, built, *buttons]
    for trigger in (run.click, proposition.submit):
        trigger(on_build, [proposition, context.preferences, context.session_log], outputs,
                api_visibility="private", **context.model_queue)
    outline.click(on_correct, [built], [warnings, graph, outline, *buttons],
                  api_visibility="private")
    gr.api(_map_api(session, context.defaults), api_name="map", **context.model_queue)


def _shown(view: MapView) -> tuple:
    """What the tab shows of a view: warnings, graph, outline and the download buttons."""
    files = [gr.update(value=str(view.files[fmt]), visible=True) for fmt, _, _ in DOWNLOADS]
    return (view.warnings, view.graph, view.outline, *files)


def _legend_html() -> str:
    return (f'<div class="cp-legend">{badge("article")} solid border · {badge("comment")} '
            f'dashed border · <span style="color:#15803d">+ supports</span> · '
            f'<span style="color:#b91c1c">− attacks</span></div>')



def _map_api(session: Session, defaults: Preferences):
    def map_(proposition: str, passages: int = 16) -> dict:
        """The pro/con map of a proposition as JSON (`passages` judged), with each citation's
        audit verdict and its Argdown export."""
        from arguments.maps import checked_passages

        try:  # a bad count is refused before the model loads
            preferences = replace(defaults, map_passages=checked_passages(passages))
            view = build_view(session, preferences, proposition)
        except ValueError as error:
            raise gr.Error(str(error)) from None
        documents = session.searcher().documents
        return {**view.argument_map.to_dict(),
                "audit": [row.to_dict(documents) for row in view.rows],
                "argdown": view.files["argdown"].read_text("utf-8")}

    return map_

