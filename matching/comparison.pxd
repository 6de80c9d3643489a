# Comparison as an extension type when compiled (empowersave.compiled): its fields are C struct
# fields, read by the functions that type a candidate (@cython.locals) without a lookup by name.
from matching.index cimport CountyIndex, DemographicIndex, ParcelIndex
from matching.query cimport Query
from matching.weights cimport Model

cdef class Comparison:
    cdef readonly object row
    cdef readonly object weight
    cdef readonly object method
    cdef readonly object street_frequency
    cdef readonly bint street_exact
    cdef readonly object house_number_level
    cdef readonly object street_level
    cdef readonly object suffix_level
    cdef readonly object directional_level
    cdef readonly object unit_level
    cdef readonly object city_level
    cdef readonly object zip_level
    cdef readonly tuple person_levels
    cdef readonly object person_weight
    cdef readonly bint person_agrees

# C functions (cpdef, positional): called for every candidate by blocking, scoring and
# review_blocks without a Python-level call.
cpdef Comparison compare_row(CountyIndex index, Query query, object row, Model model, object prior,
                             object method, object city_cutoff)
cpdef bint where_they_said(Comparison candidate)
