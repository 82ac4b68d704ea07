"""How to cite the report: the data package's datapackage.json and README, CITATION.cff, report.bib."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from analysis.data import SCHEMAS, Dataset
from analysis.pipeline.site import DOWNLOADS, KEY_FIGURE_FIELDS, REPORT_TITLE

KEY_FIGURE_TYPES = {"value": "number", "low": "number", "high": "number"}


def datapackage(dataset: Dataset, version: str, key_figures_with_values: bool = False) -> dict[str, Any]:
    """A Frictionless-style ``datapackage.json`` describing every data table and its schema; with
    ``key_figures_with_values``, ``key_figures.csv`` is the computed file (one key-figures file everywhere)."""
    types = {"number": "number", "integer": "integer"}
    resources = []
    for schema in SCHEMAS.values():
        fields = []
        for column in schema.columns:
            field: dict[str, Any] = {"name": column.name, "type": types.get(column.kind, "string")}
            constraints: dict[str, Any] = {}
            if column.required:
                constraints["required"] = True
            if column.choices:
                constraints["enum"] = list(column.choices)
            if constraints:
                field["constraints"] = constraints
            fields.append(field)
        table_schema: dict[str, Any] = {"fields": fields}
        if schema.key:
            table_schema["primaryKey"] = schema.key
        foreign = [
            {
                "fields": c.name,
                "reference": {"resource": c.references.split(".")[0], "fields": c.references.split(".")[1]},
            }
            for c in schema.columns
            if c.references
        ]
        if foreign:
            table_schema["foreignKeys"] = foreign
        description = schema.description
        if key_figures_with_values and schema.file == "key_figures.csv":
            fields = [{"name": f, "type": KEY_FIGURE_TYPES.get(f, "string")} for f in KEY_FIGURE_FIELDS]
            table_schema = {"fields": fields, "primaryKey": schema.key}
            description += " With each figure's value, interval and ready sentence as computed by this build."
        resources.append(
            {"name": schema.name, "path": f"data/{schema.file}", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "description": description, "schema": table_schema}
        )  # fmt: skip
    sources = dataset["sources"]
    return {
        "name": "economics-of-generative-ai",
        "title": REPORT_TITLE + ": data",
        "version": version,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],  # fmt: skip
        "sources": [
            {"title": t, "path": u} if u else {"title": t}
            for t, u in zip(sources["title"], sources["url"].fillna(""), strict=True)
        ],
        "resources": resources,
    }


DATA_README = """# The Economics of Generative AI: data package

Every table the report is computed from. `datapackage.json` describes each table's columns,
types, keys and references (Frictionless Data Package). In `facts.csv` every row is one number:
`kind = reported` rows carry the verbatim quote from the source article named by `source_id`
(see `sources.csv`); `kind = assumption` rows carry our one-line rationale instead.
`corrections.csv` lists every place where the report departs from a source's text.

Cite the data as the report (see CITATION.cff in the repository) and credit the source article
each reported number comes from. Our tables are licensed CC BY 4.0; the quoted passages remain
their authors'.
"""


def write_data_package(
    dataset: Dataset, data_dir: Path, target: Path, version: str, key_figures_csv: Path | None = None
) -> Path:
    """One zip with every data table, the scenario presets, ``datapackage.json``, a README and the licence.

    ``key_figures_csv`` (the build's ``key_figures.csv``, with values) replaces the registry, so the
    data package and the site's download are one file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    entries: list[tuple[str, bytes]] = [
        (f"data/{s.file}", (key_figures_csv if key_figures_csv and s.file == "key_figures.csv" else data_dir / s.file)
         .read_bytes())
        for s in SCHEMAS.values()
    ]  # fmt: skip
    entries += [(f"data/scenarios/{p.name}", p.read_bytes()) for p in sorted((data_dir / "scenarios").glob("*.yaml"))]
    entries += [
        ("datapackage.json", json.dumps(datapackage(dataset, version, key_figures_csv is not None), indent=1).encode()),
        ("README.md", DATA_README.encode()),
    ]
    licence = data_dir.parent / "LICENSE"
    if licence.exists():
        entries.append(("LICENSE", licence.read_bytes()))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            # A fixed timestamp: the same data give a byte-identical download.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return target


# --- citing the report: BibTeX and CITATION.cff of this build ---------------------------------

LICENCES = ("CC-BY-4.0", "MIT")  # text and data, code: as LICENSE says


def citation_metadata(config: dict[str, Any]) -> dict[str, str]:
    """What a citation of this build names, from the staged ``_config.yml``: title, authors, edition,
    version, commit, build date and the site's address."""
    from analysis.present.figure_blocks import Edition

    edition = Edition.from_banner(str(config["sphinx"]["config"]["genai_report_banner"]))
    return {
        "title": str(config["title"]),
        "author": str(config["author"]),
        "edition": edition.name,
        "version": edition.version,
        "commit": edition.commit,
        "built": edition.built,
        "url": str(config["html"]["baseurl"]),
    }


def bibtex_entry(meta: dict[str, str]) -> str:
    """A BibTeX entry for the report as built: version, edition, commit, date, address and licence.

    Examples
    --------
    >>> meta = {"title": "T", "author": "A", "edition": "Default edition", "version": "0.1.0", "commit": "abc",
    ...         "built": "2026-11-26", "url": "https://example.org/r/"}
    >>> print(bibtex_entry(meta))  # doctest: +ELLIPSIS
    @techreport{economics_of_generative_ai_2026,
      title       = {{T}},
      author      = {{A}},
      year        = {2026},
      type        = {Open analytical report},
      institution = {A},
      version     = {0.1.0},
      url         = {https://example.org/r/},
      urldate     = {2026-11-26},
      note        = {Default edition, version 0.1.0, commit abc, built 2026-11-26. Text and data CC BY 4.0, code MIT.}
    }
    """
    fields = [
        ("title", f"{{{meta['title']}}}"),
        ("author", f"{{{meta['author']}}}"),
        ("year", meta["built"][:4]),
        ("type", "Open analytical report"),
        ("institution", meta["author"]),
        ("version", meta["version"]),
        ("url", meta["url"]),
        ("urldate", meta["built"]),
        ("note", f"{meta['edition']}, version {meta['version']}, commit {meta['commit']}, built {meta['built']}. "
                 "Text and data CC BY 4.0, code MIT."),
    ]  # fmt: skip
    body = ",\n".join(f"  {name:<11} = {{{value}}}" for name, value in fields)
    return f"@techreport{{economics_of_generative_ai_{meta['built'][:4]},\n{body}\n}}"


def citation_cff(meta: dict[str, str]) -> str:
    """``CITATION.cff`` of this build: the licences of LICENSE, the build's date, commit and address,
    and a preferred citation as a report."""
    import yaml

    authors = [{"name": meta["author"]}]
    document = {
        "cff-version": "1.2.0",
        "message": "If you use this report or its data, please cite it as below, and credit the source article "
        "each figure comes from.",
        "title": meta["title"],
        "type": "dataset",
        "authors": authors,
        "version": meta["version"],
        "commit": meta["commit"],
        "date-released": meta["built"],
        "url": meta["url"],
        "license": list(LICENCES),
        "preferred-citation": {
            "type": "report",
            "title": meta["title"],
            "authors": authors,
            "institution": {"name": meta["author"]},
            "version": meta["version"],
            "date-released": meta["built"],
            "year": int(meta["built"][:4]),
            "url": meta["url"],
            "notes": f"{meta['edition']}, commit {meta['commit']}",
        },
    }

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(document, Dumper=NoAliases, sort_keys=False, allow_unicode=True)


def write_citation_files(stage: Path, downloads: Path) -> dict[str, str]:
    """``downloads/report.bib``, ``downloads/CITATION.cff`` and the citing page's generated part
    (``book/citation_entries.md``), all from this build's metadata."""
    import yaml

    meta = citation_metadata(yaml.safe_load((stage / "_config.yml").read_text(encoding="utf-8")))
    downloads.mkdir(parents=True, exist_ok=True)
    entry, cff = bibtex_entry(meta), citation_cff(meta)
    (downloads / "report.bib").write_text(entry + "\n", encoding="utf-8")
    (downloads / "CITATION.cff").write_text(cff, encoding="utf-8")
    (stage / "book" / "citation_entries.md").write_text(
        "\n".join(
            [
                "```bibtex", entry, "```", "",
                f'As a file: <a href="../{DOWNLOADS}/report.bib">report.bib</a>. The same metadata for GitHub and',
                f'reference managers: <a href="../{DOWNLOADS}/CITATION.cff">CITATION.cff</a>.', "",
                "```yaml", cff.rstrip(), "```", "",
            ]
        ),
        encoding="utf-8",
    )  # fmt: skip
    return meta
