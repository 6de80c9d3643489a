# The C types scoring.py reads when compiled (empowersave.compiled; see comparison.pxd).
from matching.comparison cimport Comparison
