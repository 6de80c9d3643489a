# The parser's entry points and its word tests as C functions when compiled (empowersave.compiled):
# matching.scoring cimports address_parts and calls it for each participant without a
# Python-level call.
cpdef parse_address(raw)
cpdef tuple address_parts(raw)
cdef bint _has_designator(list words)
cdef bint _letter_words(str text)
