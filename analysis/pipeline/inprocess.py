"""Executing a chapter notebook in this process: papermill's pipeline, an IPython shell, no kernel.

The published build executes every notebook in a kernel (papermill's own engine). A re-run
executes it through papermill too (the same injected parameters cell, metadata and errors),
with an engine that runs the code cells in an IPython shell inside the calling process: no
kernel to start, connect to and shut down, and the notebook written once rather than after
every cell. Outputs are captured as a kernel sends them (display data through Jupyter's own
JSON packer, streams merged as nbclient merges them, results, and errors with IPython's
traceback), so the executed notebook holds the same outputs; a test compares them cell by cell.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

ENGINE_NAME = "genai-report-in-process"


class _CellOutputs:
    """The outputs of the cell being executed, as nbformat output nodes."""

    def __init__(self) -> None:
        self.outputs: list[Any] = []

    def add(self, msg_type: str, content: dict[str, Any]) -> None:
        import nbformat
        from jupyter_client.session import json_packer, json_unpacker

        # Through the packer a kernel's messages go through, so numbers, NaN and tuples come out alike.
        content = json_unpacker(json_packer(content))
        output = nbformat.v4.output_from_msg({"header": {"msg_type": msg_type}, "content": content})
        last = self.outputs[-1] if self.outputs else None
        if msg_type == "stream" and last is not None and last.output_type == "stream" and last.name == output.name:
            last.text += output.text  # nbclient appends to the stream it is writing
        else:
            self.outputs.append(output)


class _Stream(io.TextIOBase):
    def __init__(self, outputs: _CellOutputs, name: str):
        self._outputs, self._name = outputs, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            self._outputs.add("stream", {"name": self._name, "text": text})
        return len(text)


class _Capture:
    """Where the shell's displays, results and errors go: the outputs of the cell being executed."""

    def __init__(self) -> None:
        self.current = _CellOutputs()


def _shell(capture: _Capture) -> Any:
    """IPython's shell, with a clean namespace and history, whose displays and errors become cell outputs."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(
            self, data: dict[str, Any], metadata: dict[str, Any] | None = None, source: str | None = None, *,
            transient: dict[str, Any] | None = None, update: bool = False, **kwargs: Any,
        ) -> None:  # fmt: skip
            capture.current.add(
                "display_data", {"data": data, "metadata": metadata or {}, "transient": transient or {}}
            )

        def clear_output(self, wait: bool = False) -> None:
            capture.current.outputs.clear()

    class Hook(DisplayHook):
        def start_displayhook(self) -> None:
            pass

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None) -> None:
            content = {"data": format_dict, "metadata": md_dict or {}, "execution_count": self.prompt_count}
            capture.current.add("execute_result", content)

        def finish_displayhook(self) -> None:
            pass

    def show_traceback(etype: type, evalue: BaseException, stb: list[str]) -> None:
        capture.current.add("error", {"ename": str(etype.__name__), "evalue": str(evalue), "traceback": stb})

    if InteractiveShell.initialized():
        shell = InteractiveShell.instance()
        shell.reset(new_session=True)
    else:
        # No history file and no thread saving to it: a re-run leaves nothing in ~/.ipython.
        shell = InteractiveShell.instance(config=Config({"HistoryManager": {"enabled": False}}))
    # IPython's display classes are untyped (traitlets' constructors).
    shell.display_pub = Publisher(shell=shell, parent=shell)  # type: ignore[no-untyped-call]
    shell.displayhook = Hook(shell=shell, parent=shell, cache_size=shell.cache_size)  # type: ignore[no-untyped-call]
    shell.display_trap.hook = shell.displayhook
    # IPython calls this hook to print a traceback: here the error becomes the cell's error output.
    shell._showtraceback = show_traceback  # type: ignore[method-assign]
    return shell


@contextlib.contextmanager
def _captured(capture: _Capture, outputs: _CellOutputs) -> Iterator[None]:
    capture.current = outputs
    with contextlib.redirect_stdout(_Stream(outputs, "stdout")), contextlib.redirect_stderr(_Stream(outputs, "stderr")):
        yield


def _engine() -> type:
    from papermill.engines import Engine

    class InProcessEngine(Engine):
        """papermill engine running each code cell in this process's IPython shell; stops at the first error."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> None:
            capture = _Capture()
            shell = _shell(capture)
            for cell in nb_man.nb.cells:
                # As the build does after papermill: the site shows the parameters table, not this cell.
                tags = cell.metadata.get("tags", [])
                if "injected-parameters" in tags and "remove-cell" not in tags:
                    cell.metadata["tags"] = [*tags, "remove-cell"]
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    outputs = _CellOutputs()
                    with _captured(capture, outputs):
                        result = shell.run_cell(cell.source, store_history=True)
                    cell.outputs = outputs.outputs
                    cell.execution_count = result.execution_count
                    if not result.success:
                        nb_man.cell_exception(cell, cell_index=index, exception=result.error_in_exec)
                        break
                finally:
                    nb_man.cell_complete(cell, cell_index=index)

    return InProcessEngine


def register_engine() -> str:
    """Register the in-process engine with papermill (once); return its name for ``engine_name``."""
    from papermill.engines import papermill_engines

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, _engine())
    return ENGINE_NAME
