# The C types blocking.py reads when compiled (empowersave.compiled; see comparison.pxd, query.pxd).
from matching.comparison cimport Comparison
from matching.query cimport Query
