"""The environment that makes numeric outputs the same on any x86-64 machine with AVX2: print it as NAME=value.

numpy and OpenBLAS choose their kernels by CPU at run time (AVX-512 where the CPU has it, AVX2 elsewhere), and
the kernels round differently in the last bits; the training runs in the lessons amplify that into
different printed losses and samples. `make test` and `make notebooks` run with the AVX2 kernels (x86-64-v3)
wherever the CPU has more, so the committed outputs match on every such machine. Prints nothing elsewhere.
"""

import platform

from numpy._core._multiarray_umath import __cpu_features__ as features

pins = []
if platform.machine() in ("x86_64", "AMD64") and features.get("AVX2") and features.get("FMA3"):
    pins.append("OPENBLAS_CORETYPE=Haswell")
    beyond = [name for name in ("X86_V4", "AVX512_ICL", "AVX512_SPR") if features.get(name)]
    if beyond:
        pins.append("NPY_DISABLE_CPU_FEATURES=" + ",".join(beyond))
print(" ".join(pins))
