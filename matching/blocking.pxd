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
