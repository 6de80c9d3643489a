# The C types blocking.py reads when compiled (empowersave.compiled; see comparison.pxd).
from matching.comparison cimport Comparison
