"""A user's corrections of a pro/con map: a passage moved to the other side or marked off-topic.

Positions on the same proposition follow the same corrections (`corrected_positions`).

Corrections are kept per cited passage (doc id and offsets, with the quote), not per claim: how
passages group into claims can change from one build to the next, their spans do not. They are
saved per proposition, one JSON file each, so a rebuilt map, a restarted app and the CLI all
see them. Code re-cuts and re-checks every quote; nothing here comes from a model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from arguments.claims import ArgumentMap, Claim, Unused, citation_from_dict
from arguments.evidence import CLAIM_KINDS
from arguments.maps import side_warnings
from arguments.positions import Position, Positions, holder_name, with_claims
from documents import Citation, Document, corpus_lock, split_passages
from documents.durable import fsync_folder, write_atomic

CORRECTED_SIDES = ("pro", "con", "off-topic")
OFF_TOPIC = "off-topic"
OFF_TOPIC_REASON = "marked off-topic by a user"
# A user's judgment is not a model probability; 1.0 says the side is not in doubt.
USER_SCORE = 1.0


@dataclass(frozen=True)
class Correction:
    """One passage a user put on `side` ("pro", "con" or "off-topic") of one proposition's map."""

    citation: Citation
    side: str

    @property
    def span(self) -> tuple[str, int, int]:
        return (self.citation.doc_id, self.citation.start, self.citation.end)

    def to_dict(self) -> dict:
        return {**self.citation.to_dict(), "side": self.side}


def correction_from_dict(data: Mapping) -> Correction:
    """A correction from its JSON form; ValueError with the reason when it is malformed."""
    side = data.get("side") if isinstance(data, Mapping) else None
    if side not in CORRECTED_SIDES:
        raise ValueError(f"not a correction (side {side!r}): {data!r:.120}")
    return Correction(citation_from_dict(data), side)


def proposition_key(proposition: str) -> str:
    """The proposition as corrections are filed: whitespace collapsed, case folded."""
    return " ".join(proposition.split()).casefold()


def correction_for(documents: Mapping[str, Document], doc_id: str, start: int, end: int,
                   side: str) -> Correction:
    """The correction putting passage doc_id[start:end] on `side`; ValueError unless the side
    is known and the span is exactly one article or comment passage of a stored document."""
    if side not in CORRECTED_SIDES:
        raise ValueError(f"unknown side {side!r}; choose one of {', '.join(CORRECTED_SIDES)}")
    passage = _passage_at(documents, doc_id, start, end)
    return Correction(Citation.of(passage), side)


def _passage_at(documents: Mapping[str, Document], doc_id: str, start: int, end: int):
    document = documents.get(doc_id)
    if document is None:
        raise ValueError(f"document {doc_id!r} is not in the corpus; see `counterpoint docs`")
    for passage in split_passages(document):
        if (passage.start, passage.end) == (start, end) and passage.kind in CLAIM_KINDS:
            return passage
    raise ValueError(f"{doc_id}[{start}:{end}] is not an article or comment passage of that "
                     "document; give the start and end of a cited passage")


class CorrectionStore:
    """The corrections of every proposition, one JSON file each, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, proposition: str) -> Path:
        digest = hashlib.sha256(proposition_key(proposition).encode("utf-8")).hexdigest()
        return self.folder / f"{digest[:24]}.json"

    def load(self, proposition: str) -> tuple[Correction, ...]:
        """The proposition's corrections in the order they were made (none: empty).

        A file that cannot be read is a ValueError naming it: it is never overwritten."""
        path = self.path(proposition)
        if not path.is_file():
            return ()
        try:
            data = json.loads(path.read_text("utf-8"))
            if proposition_key(str(data["proposition"])) != proposition_key(proposition):
                return ()  # another proposition's file (a 96-bit hash collision)
            return tuple(correction_from_dict(c) for c in data["corrections"])
        except (OSError, UnicodeDecodeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"the corrections file {path} cannot be read ({error}); move it "
                             "aside to start again") from None

    def save(self, proposition: str, corrections: Iterable[Correction]) -> tuple[Correction, ...]:
        """Add corrections (each replaces an earlier one of its passage); returns them all."""
        new = list(corrections)
        spans = {c.span for c in new}
        return self._update(proposition, lambda old: [*(c for c in old if c.span not in spans),
                                                      *new])

    def remove(self, proposition: str, spans: Iterable[tuple[str, int, int]]
               ) -> tuple[Correction, ...]:
        """Undo the corrections of these passages; returns those left."""
        spans = set(spans)
        return self._update(proposition, lambda old: [c for c in old if c.span not in spans])

    def _update(self, proposition: str, change) -> tuple[Correction, ...]:
        """Read, change and write the proposition's file under a lock, so two writers (the
        app and the CLI) never lose each other's corrections."""
        with corpus_lock(self.folder):  # a folder lock: not only for the corpus
            corrections = tuple(change(self.load(proposition)))
            path = self.path(proposition)
            if corrections:
                data = {"proposition": " ".join(proposition.split()),
                        "corrections": [c.to_dict() for c in corrections]}
                write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode())
            else:
                path.unlink(missing_ok=True)
            fsync_folder(self.folder)
        return corrections


def corrected_map(argument_map: ArgumentMap, folder: Path,
                  documents: Mapping[str, Document]) -> ArgumentMap:
    """The map with the corrections saved in `folder` applied; an unreadable file is a warning
    and the map is shown as built."""
    return _with_saved(argument_map, argument_map.proposition, folder, documents,
                       apply_corrections)


def _with_saved(built, proposition: str, folder: Path, documents: Mapping[str, Document],
                apply):
    """`apply(built, corrections, documents)` with the corrections saved for `proposition`;
    a file that cannot be read adds a warning to `built` instead."""
    try:
        corrections = CorrectionStore(folder).load(proposition)
    except ValueError as error:
        return replace(built, warnings=(*built.warnings, f"corrections not applied: {error}"))
    return apply(built, corrections, documents)


def apply_corrections(argument_map: ArgumentMap, corrections: Sequence[Correction],
                      documents: Mapping[str, Document]) -> ArgumentMap:
    """The map with each corrected passage taken off its old claim and put on its new side
    (its own claim, marked corrected) or among the unused; a correction whose quote is no
    longer at its offsets is skipped with a warning."""
    applied, skipped = _checked(corrections, documents)
    if not applied and not skipped:
        return argument_map
    spans = {c.span for c in applied}
    pro, con = _without(argument_map.pro, spans), _without(argument_map.con, spans)
    unused = [u for u in argument_map.unused if _span(u.citation) not in spans]
    for correction in applied:
        if correction.side == OFF_TOPIC:
            unused.append(Unused(correction.citation, OFF_TOPIC_REASON))
        elif correction.side == "pro":
            pro = (*pro, _corrected_claim(correction))
        else:
            con = (*con, _corrected_claim(correction))
    warnings = [*_current_warnings(argument_map, pro, con),
                *(_skipped_warning(c) for c in skipped)]
    return replace(argument_map, pro=pro, con=con, unused=tuple(unused),
                   warnings=tuple(warnings), corrections=tuple(applied))


def corrected_positions(positions: Positions, folder: Path,
                        documents: Mapping[str, Document]) -> Positions:
    """The positions with the corrections saved for their topic (as a map's proposition)
    applied, so a passage a user moved on the map sits on the same side here; an unreadable
    file is a warning and the positions are shown as found."""
    return _with_saved(positions, positions.topic, folder, documents, apply_to_positions)


def apply_to_positions(positions: Positions, corrections: Sequence[Correction],
                       documents: Mapping[str, Document]) -> Positions:
    """Each corrected passage taken off its holder's claims and, unless marked off-topic, put
    back on its new side (marked corrected); each holder's side counted again."""
    applied, skipped = _checked(corrections, documents)
    if not applied and not skipped:
        return positions
    spans = {c.span for c in applied}
    claims = {(p.doc_id, p.role): [c for c in p.claims
                                   if not any(_span(x) in spans for x in c.citations)]
              for p in positions.positions}
    found = {(p.doc_id, p.role): p for p in positions.positions}
    for correction in applied:
        if correction.side == OFF_TOPIC:
            continue
        holder = (correction.citation.doc_id,
                  "readers" if correction.citation.kind == "comment" else "author")
        if holder not in found:
            document = documents[holder[0]]
            found[holder] = Position(holder_name(document, holder[1]), holder[1], holder[0],
                                     "neutral", 0.0, ())
            claims[holder] = []
        claims[holder].append(_corrected_claim(correction))
    updated = tuple(with_claims(position, tuple(claims[key]), documents[key[0]])
                    for key, position in found.items())
    return replace(positions, positions=updated,
                   warnings=(*positions.warnings, *(_skipped_warning(c) for c in skipped)))


def _checked(corrections: Sequence[Correction], documents: Mapping[str, Document]
             ) -> tuple[list[Correction], list[Correction]]:
    """(applicable, skipped): each correction cut again from the stored text, or skipped when
    its quote is no longer at its offsets."""
    applied, skipped = [], []
    for correction in corrections:
        citation = _recut(correction, documents)
        if citation is None:
            skipped.append(correction)
        else:
            applied.append(replace(correction, citation=citation))
    return applied, skipped


def _span(citation: Citation) -> tuple[str, int, int]:
    return (citation.doc_id, citation.start, citation.end)


def _recut(correction: Correction, documents: Mapping[str, Document]) -> Citation | None:
    """The corrected passage cut again from the stored text; None if its quote moved."""
    cited = correction.citation
    document = documents.get(cited.doc_id)
    if document is None or document.text[cited.start:cited.end] != cited.quote:
        return None
    return Citation.at(document, cited.start, cited.end, cited.kind)


def _without(claims: tuple[Claim, ...], spans: set) -> tuple[Claim, ...]:
    """The claims without the corrected passages; a claim left with none disappears."""
    kept = []
    for claim in claims:
        citations = tuple(c for c in claim.citations if _span(c) not in spans)
        if citations:
            kept.append(replace(claim, citations=citations,
                                objections=_without(claim.objections, spans)))
    return tuple(kept)


def _corrected_claim(correction: Correction) -> Claim:
    citation = correction.citation
    return Claim(" ".join(citation.quote.split()), citation.kind, correction.side, USER_SCORE,
                 (citation,), corrected=True)


def _current_warnings(argument_map: ArgumentMap, pro, con) -> list[str]:
    """The map's warnings with those about its sides (empty, thin, comments only) made again
    for the corrected sides."""
    stale = set(side_warnings(argument_map.pro, argument_map.con))
    return [*side_warnings(pro, con), *(w for w in argument_map.warnings if w not in stale)]


def _skipped_warning(correction: Correction) -> str:
    doc_id, start, end = correction.span
    return (f"a correction of {doc_id}[{start}:{end}] ({correction.side}) was skipped: its "
            "quote is no longer at those offsets in the stored document")
