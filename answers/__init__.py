"""Answers stage: short answers whose every sentence carries citations attached by code."""

from answers.answer import NOT_FOUND, Answer, AnswerSentence
from answers.pipeline import answer_question

__all__ = ["NOT_FOUND", "Answer", "AnswerSentence", "answer_question"]
