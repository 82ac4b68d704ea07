"""One chapter's context while its notebook runs: parameters, data, edition and the key figures it records.

A notebook opens its chapter once (``ch = BusinessModelsChapter.open(globals())``: the one validation
call) and calls the chapter's section methods. Every glued value, table and key figure goes through
the context, so nothing is kept in module-level state between chapters, runs or tests in one process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import altair as alt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis.data import Dataset, load_dataset
from analysis.formats import with_article
from analysis.parameters import apply_parameter_overrides, validate_parameters
from analysis.present import charts
from analysis.present.common import KEY_FIGURES_MIME, TableBlock, edition_label, findings_markdown


def _finite(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(float(value)) else float(value)


class ChapterContext:
    """What a chapter's notebook has computed and recorded so far.

    Subclasses name their chapter (``CHAPTER``) and glue prefix (``PREFIX``) and add one method per
    section of the notebook.
    """

    CHAPTER: ClassVar[str] = ""
    PREFIX: ClassVar[str] = ""

    def __init__(self, params: Mapping[str, Any], dataset: Dataset):
        self.params = dict(params)
        self.dataset = dataset
        self.edition = edition_label(str(self.params.get("edition", "default")))
        self.figures: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []
        self._registry = dataset["key_figures"]

    @classmethod
    def open(cls, namespace: Mapping[str, Any]) -> ChapterContext:
        """Validate the notebook's parameters (``globals()``), load the data with them applied, enable the
        chart theme and glue ``{PREFIX}_edition``."""
        params = validate_parameters(cls.CHAPTER, namespace)
        context = cls(params, apply_parameter_overrides(load_dataset(), cls.CHAPTER, params))
        charts.enable()
        context.glue(f"{cls.PREFIX}_edition", Markdown(context.edition))
        return context

    # --- glue -------------------------------------------------------------------------------------

    def glue(self, key: str, value: Any) -> None:
        """Glue ``value`` (text as Markdown, a chart, a table block) under ``key``, without displaying it."""
        from myst_nb import glue

        glue(key, charts.ShownChart(value) if isinstance(value, alt.TopLevelMixin) else value, display=False)

    def text(self, key: str, text: object) -> None:
        """Glue plain text for ``{glue:md}``."""
        self.glue(key, Markdown(str(text)))

    def table(self, key: str, frame: pd.DataFrame, name: str, caption: str) -> None:
        """Glue a numbered table under ``key``; its caption names the edition."""
        self.glue(key, TableBlock(frame, name, f"{caption.rstrip('.')}. ({self.edition})"))

    # --- key figures ------------------------------------------------------------------------------

    def key_figure(
        self, key: str, value: float | None, text: str, sentence: str, interval: tuple[float, float, str] | None = None
    ) -> None:
        """Glue ``text`` under ``key`` for the prose, and record ``value`` as a citable key figure.

        The unit comes from the registry (``data/key_figures.csv``), where every key figure is declared.
        ``sentence`` is a ready sentence for a memo; it names the formatted value as ``{text}``. ``interval`` is
        ``(low, high, what it is, in words)`` where the figure has one.
        """
        if key not in self._registry.index:
            raise KeyError(f"key figure {key!r} is not declared in data/key_figures.csv")
        unit = str(self._registry.at[key, "unit"])
        # The value is formatted once: a sentence names it as "{text}" ("a {text}" reads "an 85%" where it must).
        sentence = sentence.replace("a {text}", with_article(text)).replace("{text}", text)
        self.text(key, text)
        self.figures[:] = [f for f in self.figures if f["id"] != key]
        low, high, described = interval if interval is not None else (None, None, "")
        self.figures.append({"id": key, "value": _finite(value), "unit": unit, "text": text, "sentence": sentence,
                             "low": _finite(low), "high": _finite(high), "interval": described})  # fmt: skip

    def record_key_figures(self, figures: Iterable[Mapping[str, Any]]) -> None:
        """Record several key figures at once (each a mapping with key, value, text and sentence)."""
        for figure in figures:
            self.key_figure(figure["key"], figure["value"], figure["text"], figure["sentence"])

    def readout_format(self, key: str) -> str:
        """The d3 format with which an explorer prints recorded key figure ``key`` as the chapter does."""
        from analysis.present.explorers import readout_format

        figure = next(f for f in self.figures if f["id"] == key)
        return readout_format(self._registry, key, figure["value"], figure["text"])

    def key_findings(self, findings: Sequence[tuple[str, str]], lead: int = 1) -> None:
        """Glue ``{PREFIX}_key_findings``: the chapter's findings, each a key figure's ready sentence and a link
        to the figure or table that shows it, for the Key findings box at the top of the chapter.

        ``findings`` are ``(key figure id, anchor)`` pairs, most important first; the first ``lead`` also open
        the report's introduction. Every number comes from a key figure already recorded.
        """
        recorded = {f["id"]: f for f in self.figures}
        missing = [key for key, _ in findings if key not in recorded]
        if missing or not 3 <= len(findings) <= 5:
            raise ValueError(f"key findings need 3-5 recorded key figures; not recorded: {missing}")
        self.findings = [
            {"id": key, "anchor": anchor, "sentence": recorded[key]["sentence"], "lead": i < lead}
            for i, (key, anchor) in enumerate(findings)
        ]
        self.text(f"{self.PREFIX}_key_findings", findings_markdown(self.findings))

    def emit_key_figures(self) -> None:
        """Display the chapter's key figures, parameters and key findings as one JSON output of the notebook."""
        from IPython.display import display

        payload = {
            "chapter": self.CHAPTER,
            "edition": self.params.get("edition", "default"),
            "parameters": dict(self.params),
            "figures": list(self.figures),
            "findings": list(self.findings),
        }
        display({KEY_FIGURES_MIME: payload, "text/plain": f"{len(self.figures)} key figures"}, raw=True)
