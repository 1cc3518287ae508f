"""Map evaluation: fixed propositions, expected claims on each side, verbatim citations, time."""

from __future__ import annotations

from dataclasses import dataclass

from arguments.maps import build_map


@dataclass(frozen=True)
class MapCase:
    """A proposition and quote fragments that must appear on each side (any one suffices)."""

    proposition: str
    pro: tuple[str, ...] = ()
    con: tuple[str, ...] = ()


CASES = (
    MapCase("Sanctions can pressure Russia into ending the war.",
            pro=("only sustained and coordinated pressure on Moscow",
                 "apply coordinated, multilayered pressure on the Kremlin"),
            con=("Sanctions won’t change the military situation",)),
    MapCase("European countries should raise defense spending."),
    MapCase("The war in Ukraine will end soon through negotiations."),
)


def side_has(argument_map, side: str, fragments: tuple[str, ...]) -> bool:
    """True when a citation of a claim on `side` contains one of the fragments."""
    quotes = [c.quote for claim in getattr(argument_map, side) for c in claim.citations]
    return any(fragment in quote for fragment in fragments for quote in quotes)


def evaluate_maps(searcher, model, cases: tuple[MapCase, ...] = CASES) -> dict:
    """Build each map; report seconds, claim counts, verbatim checks and expectations."""
    rows = []
    for case in cases:
        argument_map = build_map(case.proposition, searcher, model)
        citations = list(argument_map.citations())
        verbatim = all(c.is_verbatim(searcher.documents) for c in citations)
        expectations = {side: side_has(argument_map, side, getattr(case, side))
                        for side in ("pro", "con") if getattr(case, side)}
        rows.append({"proposition": case.proposition, "seconds": round(argument_map.seconds, 1),
                     "pro": len(argument_map.pro), "con": len(argument_map.con),
                     "citations": len(citations), "all_verbatim": verbatim,
                     "expectations": expectations, "warnings": list(argument_map.warnings),
                     "map": argument_map.to_dict()})
    seconds = [r["seconds"] for r in rows]
    return {"maps": rows, "seconds_per_map": round(sum(seconds) / len(seconds), 1),
            "all_verbatim": all(r["all_verbatim"] for r in rows),
            "expectations_met": all(all(r["expectations"].values()) for r in rows)}
