"""Engine test fixtures: `toy` (this folder) and `model_helpers` (tests/model, for the CUDA-graph model test) import."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "model"))
