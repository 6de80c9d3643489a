# The C types of comparison.py when compiled (empowersave.compiled): Comparison an extension type.
from matching.query cimport Query

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
