"""Reports as Markdown: the `eval all` tables, generic tables, and the README's generated blocks."""

from __future__ import annotations

import json
from pathlib import Path


def render_markdown(report: dict) -> str:
    """report.md: a title, then the same text the README block carries."""
    return f"# Counterpoint evaluation\n\n{render_tables(report)}"


def render_tables(report: dict) -> str:
    """How the figures were made (command, date, configuration), then one table per section."""
    lines = [_provenance(report), ""]
    for section in report["sections"]:
        lines += [*_section_lines(section), ""]
    return "\n".join(lines)


def _provenance(report: dict) -> str:
    c = report["configuration"]
    mode = ", quick mode (a few items per evaluation)" if c["quick"] else ""
    return (f"Measured by `{report['command']}` on {report['date'][:10]} in "
            f"{report['seconds'] / 60:.0f} min{mode}: {machine_text(c['machine'])}; "
            f"model {c['model'] or c['llm']}, k={c['k']}, embedder {c['embedder']}, "
            f"eval set `{Path(c['eval_set']).name}` (sha256 {(c['eval_set_sha256'] or '')[:12]}), "
            f"commit {c['git_commit']}, {versions_text(c['versions'])}.")


def machine_text(machine_info: dict) -> str:
    """CPUs and the load average at the start and the end of a run."""
    before, after = machine_info["load_average_before"][0], machine_info["load_average_after"][0]
    return f"{machine_info['cpus']} CPUs, load average {before} at start and {after} at the end"


def versions_text(found: dict) -> str:
    """Installed versions as "name version, ..." (packages that are not installed left out)."""
    return ", ".join(f"{name} {version}" for name, version in found.items() if version)


def _section_lines(section: dict) -> list[str]:
    title = f"**{section['title']}**"
    if section["status"] == "skipped":
        return [f"{title}: {section['reason']}"]
    if section["status"] == "failed":
        return [f"{title}: failed ({section['reason']})"]
    note = f" ({section['note']})" if section["note"] else ""
    return [f"{title}{note}:", "", *metric_table(section["metrics"])]


def metric_table(metrics: list[dict]) -> list[str]:
    """Metrics as rows, systems as columns; `n` is a column when the systems share it."""
    systems = list(dict.fromkeys(m["system"] for m in metrics))
    cells = {(m["name"], m["system"]): m for m in metrics}
    rows = []
    for name in dict.fromkeys(m["name"] for m in metrics):
        found = [cells.get((name, system)) for system in systems]
        sizes = {m["n"] for m in found if m is not None}
        shared = len(sizes) == 1
        values = ["" if m is None else format_value(m["value"], m["unit"])
                  + ("" if shared else f" (n={m['n']})") for m in found]
        rows.append([name, *values, str(sizes.pop()) if shared else "per cell"])
    return markdown_table(["metric", *systems, "n"], rows)


def format_value(value, unit: str) -> str:
    """A share as a percentage, seconds with one decimal, a score with three."""
    if value is None:
        return "n/a"
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "count":
        return f"{value:.1f}"
    return f"{value:.3f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A GitHub Markdown table, first column left-aligned and the rest right-aligned."""
    align = [":--", *["--:"] * (len(header) - 1)]
    return ["| " + " | ".join(map(str, row)) + " |" for row in (header, align, *rows)]


def write_report(report: dict, out: Path, stem: str, markdown: str) -> tuple[Path, Path]:
    """Write STEM.json and STEM.md into `out` (created); return both paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    md_path.write_text(markdown, "utf-8")
    return json_path, md_path


def update_readme(readme: Path, block: str, body: str) -> None:
    """Replace the text between `<!-- BLOCK:begin -->` and `<!-- BLOCK:end -->` in `readme`."""
    text, start, stop = check_readme(readme, block)
    readme.write_text(f"{text[:start]}\n{body.strip()}\n{text[stop:]}", "utf-8")


def check_readme(readme: Path, block: str) -> tuple[str, int, int]:
    """The file's text and the span between its BLOCK markers; a clear error if they are not."""
    begin, end = f"<!-- {block}:begin -->", f"<!-- {block}:end -->"
    if not readme.is_file():
        raise FileNotFoundError(f"{readme}: no such file")
    text = readme.read_text("utf-8")
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"{readme} has no `{begin}` ... `{end}` markers; add them on their "
                         "own lines where the generated figures belong")
    return text, start + len(begin), stop
