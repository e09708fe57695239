"""The hybrid LMU generates a Brian2GeNN project (no GeNN needed); the ann mode is refused by name."""
import re

import pytest

from neurodyn.errors import GeNNUnsupportedError
from neurodyn.lmu.genn import generate_lmu_genn, genn_problems
from lmu_helpers import random_lmu, random_sequences


def test_hybrid_lmu_generates_a_genn_project(tmp_path):
    """One summed variable per coupling, each written from GeNN's inSyn; the multi-bit reset and the
    count delivery of the quantized hidden units; the input set by run_regularly before each step."""
    weights, x = random_lmu(), random_sequences()
    assert genn_problems(weights, x, "hybrid") == []
    project, notes = generate_lmu_genn(weights, x, tmp_path / "genn", "hybrid")
    code = (project / "magicnetwork_model.cpp").read_text()
    for summed in ("m_memory", "m_input", "z_memory", "z_input"):
        assert f"$({summed}) = $(inSyn); $(inSyn)= 0;" in code
    assert '"$(n) = floor($(v));\\n\\\n$(v) += - $(n);"' in code
    assert code.count("$(addToInSyn,(1.0f*($(w) * $(c))/DT));") == 2   # hidden -> memory, hidden -> hidden
    assert re.search(r"_run_lmu_input_run_regularly_codeobject(_\d+)?\(\);", (project / "engine.cpp").read_text())
    assert any("lmu_hidden_spike_resetter" in note for note in notes)


def test_ann_mode_is_refused_for_genn(tmp_path):
    weights, x = random_lmu(), random_sequences()
    with pytest.raises(GeNNUnsupportedError, match="mode 'ann'.*readout would lag one step"):
        generate_lmu_genn(weights, x, tmp_path / "genn", "ann")
