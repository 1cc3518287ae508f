"""The answer pipeline's logic on the real corpus, real Chroma and real embedder, with a
scripted model: what is sent to it, and how its replies become cited sentences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from answers import NOT_FOUND, answer_question
from answers.evidence import counted_thing
from answers.linking import unbacked_details
from answers.pipeline import BEFORE_FIRST_WORDS, draft_sentences
from answers.rewrite import needs_rewrite, standalone_question, turns
from documents import Citation, claim_of
from documents.text import likely_names, numerals
from generation import ModelHandle, ModelSpec

REPO = Path(__file__).resolve().parent.parent


class Judge:
    """Scripted label probabilities; records every prompt it is shown."""

    def __init__(self, choose: int = 1, supported=lambda prompt: True):
        self.choose, self.supported, self.prompts = choose, supported, []

    def __call__(self, messages, labels):
        prompt = messages[-1][1]
        self.prompts.append(prompt)
        if labels[0] == "0":  # the evidence chooser: passage numbers, 0 = none
            return {label: float(label == str(self.choose)) for label in labels}
        yes = 0.9 if self.supported(prompt) else 0.1
        return {"Yes": yes, "No": 1 - yes}


def model(judge: Judge, *replies: str) -> ModelHandle:
    chat = GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies]))
    return ModelHandle("scripted", chat, judge, ModelSpec("local"))


def passage_of(prompt: str) -> str:
    """The passage a support prompt asks about: the numbered one it names, or the one it
    quotes."""
    named = re.search(r"Does passage (\d+) support", prompt)
    if named:
        return re.search(rf"^\[{named[1]}\] .*$", prompt, re.M)[0]
    return re.split(r"(?i)\bpassage:", prompt, maxsplit=1)[1]


MISSILES = "What share of missiles were intercepted in July 2025?"


def test_a_supported_sentence_carries_a_verbatim_citation(searcher):
    judge = Judge(supported=lambda p: "61%" in passage_of(p))
    answer = answer_question(MISSILES, searcher, model(judge, "About 61% of missiles were "
                                                       "intercepted in July 2025."))
    assert not answer.refused
    assert answer.text == "About 61% of missiles were intercepted in July 2025."
    (sentence,) = answer.sentences
    assert sentence.supported and len(sentence.citations) == 1
    citation = sentence.citations[0]
    assert "61% of missiles" in citation.quote and citation.kind == "article"
    assert citation.is_verbatim(searcher.documents)
    result = answer.to_dict()
    assert set(result) >= {"question", "answer", "refused", "sentences", "citations", "timings"}
    assert set(result["citations"][0]) == {"doc_id", "kind", "start", "end", "quote"}
    assert {"retrieval", "choose", "prompt", "generation", "checks", "total"} <= set(
        result["timings"])


def test_the_model_is_shown_numbered_passages_and_asked_about_each_sentence(searcher):
    judge = Judge()
    chat = model(judge, "About 61% of missiles were intercepted in July 2025.")
    answer_question(MISSILES, searcher, chat)
    chooser = judge.prompts[0]
    assert "[1] (article)" in chooser and MISSILES in chooser
    support = judge.prompts[-1]
    assert "Answer: About 61% of missiles" in support
    # Every check starts with the chooser's passages and question, so llama.cpp reuses their
    # cache; a shown passage is named by its number, any other is quoted after them.
    shared = chooser.split("Which passage")[0]
    assert "Does passage" in support or "Another passage:" in support
    assert all(prompt.startswith(shared) for prompt in judge.prompts[1:])


def test_a_number_no_passage_contains_makes_the_sentence_unsupported(searcher):
    judge = Judge(supported=lambda p: True)  # even a yes-man judge cannot back "97%"
    draft = ("About 61% of missiles were intercepted in July 2025. "
             "About 97% of tanks were destroyed.")
    answer = answer_question(MISSILES, searcher, model(judge, draft))
    first, second = answer.sentences
    assert first.supported and not second.supported
    assert answer.unsupported == 1 and "97" not in answer.text
    assert all(c in answer.citations for c in first.citations)


def test_the_chooser_saying_none_refuses_whatever_the_draft_says(searcher):
    draft = "About 61% of missiles were intercepted in July 2025."
    answer = answer_question(MISSILES, searcher, model(Judge(choose=0), draft))
    assert answer.refused and answer.text == NOT_FOUND
    assert answer.sentences == () and answer.citations == ()
    assert answer.to_dict()["answer"] == NOT_FOUND


SOLDIERS = "How many Russian soldiers have been killed in the war in Ukraine so far?"
DRONE_ATTACKS = "How many drone attacks has Russia launched against Ukraine since the invasion?"


def shown_first(prompt: str) -> str:
    return re.search(r"^\[1\] .*$", prompt, re.M)[0]


def test_a_count_question_is_refused_when_the_pick_counts_something_else(searcher):
    # The corpus counts civilians killed, never soldiers: a pick without "soldiers" is no
    # answer to "how many soldiers", however sure the chooser is.
    judge = Judge(choose=1)
    draft = "Russia has killed around 3,200 civilians between 2024 and 2025."
    answer = answer_question(SOLDIERS, searcher, model(judge, draft))
    assert "soldier" not in shown_first(judge.prompts[0]).lower()
    assert answer.refused and answer.sentences == ()
    assert len(judge.prompts) == 1  # the chooser only: no sentence is checked


def test_a_count_question_is_answered_from_a_pick_naming_what_it_counts(searcher):
    judge = Judge(choose=1)
    draft = "Russia has launched nearly 14,000 drone attacks against Ukraine."
    answer = answer_question(DRONE_ATTACKS, searcher, model(judge, draft))
    assert "attacks" in shown_first(judge.prompts[0])
    assert not answer.refused and "14,000" in answer.text


@pytest.mark.parametrize(("question", "thing"), [
    (SOLDIERS, "soldiers"),
    (DRONE_ATTACKS, "attacks"),
    ("How many US troops were deployed to Europe?", "troops"),
    ("how many of the drones were shot down?", "drones"),
    ("How many people does the EU count?", None),  # "does" is no noun; "people" has no -s
    ("How many times has Kyiv been hit?", None),
    ("What share of missiles were intercepted?", None),
])
def test_counted_thing_is_the_plural_after_how_many(question, thing):
    assert counted_thing(question) == thing


def test_an_off_topic_question_is_refused_before_the_model_is_asked(searcher):
    judge = Judge()
    answer = answer_question("How do I bake sourdough bread at home?", searcher,
                             model(judge))
    assert answer.refused and judge.prompts == []


def test_the_model_saying_not_found_is_a_refusal(searcher):
    answer = answer_question(MISSILES, searcher, model(Judge(), NOT_FOUND))
    assert answer.refused and answer.citations == ()


def test_an_answer_no_passage_supports_becomes_a_refusal(searcher):
    judge = Judge(supported=lambda p: False)
    answer = answer_question(MISSILES, searcher, model(judge, "Most missiles were stopped."))
    assert answer.refused and answer.text == NOT_FOUND and answer.unsupported == 1


def test_reader_comment_evidence_is_labelled_as_such(searcher):
    judge = Judge(supported=lambda p: "long game" in passage_of(p).lower())
    answer = answer_question("What does one reader say about Putin?", searcher,
                             model(judge, "Putin is playing a long game."))
    assert all("(reader comment)" in line for line in judge.prompts[0].splitlines()
               if line.startswith("["))
    (sentence,) = answer.sentences
    assert sentence.text == "A reader comment argues that Putin is playing a long game."
    assert {c.kind for c in sentence.citations} == {"comment"}


def test_without_comments_no_comment_is_shown_or_cited(searcher):
    judge = Judge(supported=lambda p: False)
    answer_question("What do readers say about Putin?", searcher,
                    model(judge, "Putin is old."), include_comments=False)
    assert "(reader comment)" not in judge.prompts[0]


def test_a_follow_up_is_rewritten_with_the_history(searcher):
    judge = Judge(supported=lambda p: "61%" in passage_of(p))
    history = [("How many drone attacks has Russia launched?", "Nearly 14,000.")]
    chat = model(judge, "What share of missiles were intercepted in July 2025?",
                 "About 61% of missiles were intercepted in July 2025.")
    answer = answer_question("What about missiles in July 2025?", searcher, chat,
                             history=history)
    assert answer.query == "What share of missiles were intercepted in July 2025?"
    assert answer.question == "What about missiles in July 2025?"
    assert f"Question: {answer.query}\n" in judge.prompts[0]


def test_rewrite_sends_the_conversation_and_cleans_the_reply():
    chat = GenericFakeChatModel(messages=iter([AIMessage('Question: "Who is Stubb?"\nextra')]))
    handle = ModelHandle("scripted", chat, Judge(), ModelSpec("local"))
    rows = [{"role": "user", "content": "Who cultivated ties with Trump?"},
            {"role": "assistant", "content": "Finland's President Alexander Stubb."}]
    assert standalone_question("Who is he?", rows, handle) == "Who is Stubb?"
    assert turns(rows)[1] == ("assistant", "Finland's President Alexander Stubb.")
    assert not needs_rewrite("Which city is the fighting centered on?", turns(rows))
    assert not needs_rewrite("Who is he?", [])


def test_an_empty_question_is_a_clear_error(searcher):
    with pytest.raises(ValueError, match="empty"):
        answer_question("   ", searcher, model(Judge()))


def test_draft_sentences_drop_markers_and_no_information_filler():
    draft = ("Pokrovsk is the centre [1]. The passages do not mention casualties. "
             f"{NOT_FOUND} Kyiv is far [2, 3].")
    assert draft_sentences(draft) == ["Pokrovsk is the centre.", "Kyiv is far."]


def test_draft_sentences_drop_frames_naming_the_passage_but_keep_attributions():
    draft = ("According to the passage, about 61% were intercepted. The passage states that "
             "Russia began rolling it up. According to one reader, Putin is 72. "
             "The article says that Pokrovsk is a hub.")
    assert draft_sentences(draft) == ["About 61% were intercepted.", "Russia began rolling it up.",
                                      "According to one reader, Putin is 72.",
                                      "The article says that Pokrovsk is a hub."]
    # Seen in dev answers (e-q08, f-q14): "Based on the passage(s) provided, ..."
    draft = "Based on the passage, Putin warned. Based on the passages provided, two were hit."
    assert draft_sentences(draft) == ["Putin warned.", "Two were hit."]


def test_claim_details_must_appear_in_the_sources():
    claim = claim_of("According to the article, Witkoff met Putin 5 times in 2025.")
    assert claim == "Witkoff met Putin 5 times in 2025."
    assert numerals(claim) == {"5", "2025"} and likely_names(claim) == {"putin"}
    assert unbacked_details(claim, ["Witkoff met Putin in 2025."]) == {"5"}
    assert unbacked_details("About 14,000 drones.", ["nearly 14,000 drone attacks"]) == set()
    assert claim_of("A reader comment argues that he is 72.") == "He is 72."


def test_a_fraction_in_words_must_appear_in_the_sources():
    claim = "Moscow occupies roughly one-fifth of Ukraine."
    assert unbacked_details(claim, ["Ukraine is trying to hold onto territory."]) == {"one-fifth"}
    assert unbacked_details(claim, ["Russia occupies roughly one-fifth of Ukraine"]) == set()
    assert unbacked_details("Two villages were hit.", ["Popovka and Demidovka"]) == set()


def test_a_passage_accepted_first_but_without_the_figure_is_not_cited(searcher):
    """A yes-saying model accepts the passage the answer was written from; it lacks the
    claim's fraction, so the next candidate is judged, and it alone backs the claim."""
    from answers.linking import link_sentence

    wrong, right = (next(p for p in searcher.passages if p.text.startswith(start)) for start in
                    ("In all areas except one, Ukraine", "While Russia currently occupies"))
    sentence = "Moscow currently occupies roughly one-fifth of Ukraine."
    vectors = searcher.embed([sentence, wrong.text, right.text])
    link = link_sentence(sentence, vectors[0], [wrong, right], vectors[1:], model(Judge()),
                         "How much of Ukraine does Moscow hold?", 1, [wrong, right])
    assert link.supported and link.passages == (right,)


def test_the_pipeline_reports_each_step_it_times_in_order_and_streams_the_draft(searcher):
    reply = "About 61% of missiles were intercepted in July 2025."
    steps, pieces = [], []
    answer = answer_question(MISSILES, searcher, model(Judge(), reply),
                             progress=lambda step, detail: steps.append(step),
                             on_draft=pieces.append)
    assert not answer.refused
    # The draft streams before the chooser reads its task line (see BEFORE_FIRST_WORDS).
    assert steps == ["rewrite", "retrieval", "prompt", "generation", "choose", "checks"]
    assert steps[: steps.index("generation")] == list(BEFORE_FIRST_WORDS)
    assert list(answer.timings) == [*steps, "total"]
    assert len(pieces) > 1 and "".join(pieces) == reply


def test_a_refusal_by_the_chooser_reports_only_the_steps_it_took(searcher):
    steps = []
    answer = answer_question(MISSILES, searcher, model(Judge(choose=0), "Most were stopped."),
                             progress=lambda step, detail: steps.append(step))
    assert answer.refused and steps == ["rewrite", "retrieval", "prompt", "generation",
                                        "choose"]
    assert list(answer.timings) == [*steps, "total"]


def test_a_short_sentence_leaning_on_its_neighbour_is_shown_with_it(searcher):
    """"This includes India and China." says nothing alone: it is shown (and cited) joined to
    the sentence it leans on, as one verbatim span; a self-contained sentence stays alone."""
    from answers.evidence import in_context

    lean = next(p for p in searcher.passages if p.text == "This includes India and China.")
    antecedent = next(p for p in searcher.passages if p.text.startswith(
        "The main feature of the threat from Trump"))
    for passage in (lean, antecedent):
        joined = in_context(passage, searcher)
        assert (joined.start, joined.end) == (antecedent.start, lean.end)
        assert joined.text == searcher.documents[lean.doc_id].text[joined.start:joined.end]
        assert Citation.of(joined).is_verbatim(searcher.documents)
    alone = next(p for p in searcher.passages if "nearly 14,000 drone attacks" in p.text)
    assert in_context(alone, searcher) == alone


def test_a_support_check_names_a_shown_passage_and_quotes_any_other(searcher):
    from answers.linking import supports

    shown, other = searcher.passages[:2], searcher.passages[5]
    judge = Judge()
    for passage in (shown[1], other):
        supports(model(judge), MISSILES, "A claim.", passage, shown)
    named, quoted = judge.prompts
    assert named.startswith("Passages (") and "Does passage 2 support" in named
    assert shown[0].text.split()[0] in named and other.text not in named
    assert named.split("Answer:")[0] == quoted.split("Answer:")[0]  # the same cached prefix
    assert "Another passage: " + " ".join(other.text.split()) in quoted
