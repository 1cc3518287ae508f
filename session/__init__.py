"""Session stage: the corpus, the index and the models of one process, each loaded on first use.

The CLI, the app, the evaluations and the benchmarks all hold their parts in a `Session`;
answers and arguments never see it (they take a searcher and a model).
"""

from session.holder import Session

__all__ = ["Session"]
