"""The code blocks of the README and docs/*.md, run as a reader runs them.

Fences are found by markdown-it-py (CommonMark). Every fence names its language:

- ``python``: the blocks of one file run in order in one namespace (a later block uses the names
  of an earlier one, as in a notebook), in-process, from a scratch working directory;
- ``bash``: each command line (``\\``-continued lines joined) runs with ``bash -c`` in that
  directory, with the interpreter's ``bin/`` first on ``PATH`` (``neurodyn``, ``python``);
- ``text``: output, equations; never run.

A block that is too slow for the test suite, or needs what CI has not (GeNN, a cluster), is
preceded by the HTML comment ``<!-- not run: REASON -->``, visible in the source and empty in
the rendered page. Every other python and bash block runs. The scratch directory links the
repository's ``data``, ``studies``, ``benchmarks``, ``docs`` and ``neurodyn`` folders, so that
the relative paths of the blocks resolve, while what the blocks write (``results/``, ``out/``,
figures) stays in it.
A failure names the file and the line of the statement or command that failed.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("data", "studies", "benchmarks", "docs", "neurodyn")
RUN = ("python", "bash")
LANGUAGES = (*RUN, "text")
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<reason>.*?)\s*-->", re.DOTALL)


class BlockError(AssertionError):
    """A block failed (or is malformed); the message starts with ``FILE:LINE``."""


@dataclass(frozen=True)
class Block:
    path: Path      # the markdown file
    line: int       # 1-based line of the opening fence
    language: str
    code: str
    not_run: str | None  # the reason given by a preceding ``<!-- not run: ... -->``

    @property
    def where(self) -> str:
        return f"{display(self.path)}:{self.line}"


def display(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def read_blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path``; a fence without a known language is a :class:`BlockError`."""
    tokens = MarkdownIt("commonmark").parse(Path(path).read_text())
    blocks = []
    for k, token in enumerate(tokens):
        if token.type != "fence":
            continue
        line = token.map[0] + 1
        language = token.info.split()[0] if token.info.strip() else ""
        if language not in LANGUAGES:
            raise BlockError(f"{display(path)}:{line}: fence language {language!r}; name it one of "
                             f"{', '.join(LANGUAGES)}")
        previous = tokens[k - 1] if k else None
        marker = NOT_RUN.search(previous.content) if previous is not None and previous.type == "html_block" else None
        blocks.append(Block(Path(path), line, language, token.content, marker and marker["reason"]))
    for block in blocks:
        if block.not_run is not None and not block.not_run:
            raise BlockError(f"{block.where}: '<!-- not run: -->' without a reason")
    return blocks


def prepare_workdir(workdir: Path) -> Path:
    """Link the repository folders the blocks read into ``workdir``."""
    for name in LINKED:
        if not (workdir / name).exists():
            (workdir / name).symlink_to(ROOT / name, target_is_directory=True)
    return workdir


def run_python_blocks(blocks: list[Block], workdir: Path) -> dict:
    """Run the python blocks of one file in order in one namespace, from ``workdir``.

    The code is compiled under the markdown file's name, shifted to its lines, so a traceback
    (and the :class:`BlockError`) points at the failing line of the markdown file."""
    namespace = {"__name__": "__markdown__"}
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        for block in blocks:
            if block.language != "python" or block.not_run is not None:
                continue
            code = compile("\n" * block.line + block.code, str(block.path), "exec")
            try:
                exec(code, namespace)
            except Exception as error:
                frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(block.path)]
                line = frames[-1].lineno if frames else block.line
                raise BlockError(f"{display(block.path)}:{line}: {type(error).__name__}: {error} "
                                 f"(python block at line {block.line})") from error
    finally:
        os.chdir(previous)
    return namespace


def commands(block: Block) -> list[tuple[int, str]]:
    """``(line, command)`` for every non-blank, non-comment command of a bash block."""
    found, pending, start = [], "", None
    for offset, text in enumerate(block.code.splitlines(), start=block.line + 1):
        if not pending and (not text.strip() or text.lstrip().startswith("#")):
            continue
        start = offset if not pending else start
        if text.rstrip().endswith("\\"):
            pending += text.rstrip()[:-1] + " "
            continue
        found.append((start, pending + text))
        pending = ""
    if pending:
        raise BlockError(f"{display(block.path)}:{start}: command ends with a line continuation")
    return found


def shell_environment() -> dict:
    """The test's environment, with this interpreter's ``bin/`` first on ``PATH``."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_shell_block(block: Block, workdir: Path, timeout: float = 300) -> None:
    """Run each command of a bash block from ``workdir``; the first failure is a :class:`BlockError`."""
    env = shell_environment()
    for line, command in commands(block):
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
            raise BlockError(f"{display(block.path)}:{line}: exit status {done.returncode}: "
                             f"{command}\n" + "\n".join(tail))
