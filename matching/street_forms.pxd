# C functions (cpdef, positional) that normalize_street calls for every street it has not met:
# no Python-level call for each.
cpdef misspelled_ordinal(str word)
cpdef misspelled_suffix(str word)
cpdef list _ordinals(list words)
cpdef str _abbreviate(list words)
cpdef bint _directional_and_name(list words)
