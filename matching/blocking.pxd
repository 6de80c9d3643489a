from matching.comparison cimport Comparison, compare_row, where_they_said
from matching.index cimport CountyIndex, DemographicIndex, ParcelIndex
from matching.query cimport Query
from matching.weights cimport Model

# C functions: called for every candidate (or every block) without a Python-level call.
cdef _add(CountyIndex index, Query query, Model model, object prior, object cutoff, dict found,
          list scored, dict more)
cpdef list best_first(ParcelIndex parcels, list scored)
cpdef bint _own_address(Comparison candidate)
cpdef bint _agrees(Comparison candidate)
# The typo search's steps (`_corrected_keys`), called once a street new to an area.
cpdef tuple _close_streets(ParcelIndex parcels, Query query, tuple zips, object city, object cutoff)
cpdef tuple _of_reachable_length(tuple every, list starts, Py_ssize_t size, object cutoff)
cpdef list street_areas(ParcelIndex parcels, tuple zips, object city)
cpdef tuple _area(ParcelIndex parcels, tuple zips, object city, list areas)
cpdef tuple _typo_texts(object street)
