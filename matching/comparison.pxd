# Comparison as an extension type when compiled (empowersave.compiled): its fields are C struct
# fields, read by the functions that type a candidate (@cython.locals) without a lookup by name.
from matching.index cimport CountyIndex, DemographicIndex, ParcelIndex
from matching.query cimport Query
from matching.weights cimport Model

cdef class Comparison:
    cdef readonly object row
    cdef readonly double weight
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
    cdef readonly double person_weight
    cdef readonly bint person_agrees

# C functions (cpdef, positional): called for every candidate by blocking, scoring and
# review_blocks without a Python-level call.
cpdef Comparison compare_row(CountyIndex index, Query query, object row, Model model, double prior,
                             object method, object city_cutoff)
cpdef bint where_they_said(Comparison candidate)
# The levels compare_row reads for a candidate, and the person's: C calls from it.
cpdef object zip_level(object zips, object parcel_zip)
cpdef object house_number_level(object mine, object theirs)
cpdef object _number_level(object mine, object theirs, object unit)
cpdef object city_level(ParcelIndex parcels, object city, object parcel_city, object cutoff)
cpdef object name_level(object name, object surname, object record_name)
cpdef bint _has_words(str text, object words)
cpdef object _unit_level(object mine, object theirs)
cpdef tuple _record_levels(Query query, tuple person)
cpdef bint person_agrees(tuple person_levels)
cpdef dict agreement_of(Comparison candidate)
cpdef double street_frequency_weight(ParcelIndex parcels, object zip5, object key)
