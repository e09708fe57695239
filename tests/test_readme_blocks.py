"""Every python and bash block of README.md and docs/*.md runs as written (tests/markdown_blocks.py
states the rules: python blocks of one file in order in one namespace, bash blocks command by
command, ``<!-- not run: REASON -->`` before a block that is too slow for CI), and the collector
itself fails on a broken block, naming its file and line."""
import re

import matplotlib
import pytest

from markdown_blocks import (BlockError, commands, display, markdown_files, prepare_workdir, read_blocks,
                             run_python_blocks, run_shell_block)

matplotlib.use("Agg")

FILES = markdown_files()
PYTHON_FILES = [path for path in FILES if any(block.language == "python" for block in read_blocks(path))]
SHELL_BLOCKS = [block for path in FILES for block in read_blocks(path)
                if block.language == "bash" and block.not_run is None]


@pytest.fixture
def workdir(tmp_path):
    return prepare_workdir(tmp_path)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.jit._script",  # inside snnTorch's NIR export
                            "ignore::DeprecationWarning:nirtorch.to_nir")
@pytest.mark.parametrize("path", PYTHON_FILES, ids=display)
def test_python_blocks_run_in_order(path, workdir):
    import matplotlib.pyplot as plt
    from brian2 import defaultclock, prefs

    target, dt = prefs.codegen.target, defaultclock.dt
    try:
        run_python_blocks(read_blocks(path), workdir)
    finally:
        plt.close("all")
        prefs.codegen.target, defaultclock.dt = target, dt  # a block may set Brian2's globals


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda block: block.where)
def test_shell_block_runs(block, workdir):
    run_shell_block(block, workdir)


# ------------------------------------------------------------------ the collector itself
BROKEN = """# A page

Some prose.

```python
x = 1
```

<!-- not run: would fail, and says why -->
```bash
exit 3
```

```python
y = x + 1
z = undefined_name
```

```bash
true   # a comment
python -c "raise SystemExit(4)"
```
"""


def test_a_broken_python_block_fails_naming_file_and_line(tmp_path):
    page = tmp_path / "broken.md"
    page.write_text(BROKEN)
    blocks = read_blocks(page)
    assert [(b.line, b.language, b.not_run) for b in blocks] == [
        (5, "python", None), (10, "bash", "would fail, and says why"), (14, "python", None), (19, "bash", None)]
    with pytest.raises(BlockError, match=rf"^{re.escape(str(page))}:16: NameError: name 'undefined_name' is not defined"):
        run_python_blocks(blocks, prepare_workdir(tmp_path))


def test_python_blocks_share_one_namespace_in_order(tmp_path):
    page = tmp_path / "good.md"
    page.write_text(BROKEN.replace("z = undefined_name\n", ""))
    namespace = run_python_blocks(read_blocks(page), prepare_workdir(tmp_path))
    assert namespace["y"] == 2


def test_a_failing_command_fails_naming_its_line_and_a_marked_block_is_not_run(tmp_path):
    page = tmp_path / "broken.md"
    page.write_text(BROKEN)
    marked, unmarked = [b for b in read_blocks(page) if b.language == "bash"]
    assert commands(unmarked) == [(20, "true   # a comment"), (21, 'python -c "raise SystemExit(4)"')]
    with pytest.raises(BlockError, match=rf"^{re.escape(str(page))}:21: exit status 4"):
        run_shell_block(unmarked, prepare_workdir(tmp_path))


def test_a_fence_without_a_language_or_a_marker_without_a_reason_is_refused(tmp_path):
    page = tmp_path / "bad.md"
    page.write_text("text\n\n```\nneurodyn run inhibitory\n```\n")
    with pytest.raises(BlockError, match=rf"^{re.escape(str(page))}:3: fence language ''"):
        read_blocks(page)
    page.write_text("<!-- not run: -->\n```bash\ntrue\n```\n")
    with pytest.raises(BlockError, match="without a reason"):
        read_blocks(page)
