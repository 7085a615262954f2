"""A deterministic generator of a realistic demo department (the committed `input/`, and benchmarks).

    from sitegen.demo import generate_department
    manifest = generate_department(Path("input"), seed=20261120)

`python -m sitegen.demo [OUTDIR]` regenerates the demo (default: the repository's `input/`).
"""

from .generate import DEFAULT_AS_OF, DEFAULT_SEED, Manifest, Mistake, RepInfo, generate_department

__all__ = ["DEFAULT_AS_OF", "DEFAULT_SEED", "Manifest", "Mistake", "RepInfo", "generate_department"]
