# normalize_zip as a C function when compiled (empowersave.compiled): the matcher's modules that
# cimport it (matching.scoring) call it without a Python-level call.
cpdef normalize_zip(raw)
cdef bint _ascii_decimal(str text)
