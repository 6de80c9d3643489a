from matching.address_parser cimport address_parts
from matching.comparison cimport Comparison, agreement_of, where_they_said
from matching.demographics cimport phones_of
from matching.index cimport CountyIndex, ParcelIndex, email_key, phone_key
from matching.query cimport Query
from matching.weights cimport probability as weight_probability
from participants.fields cimport normalize_zip

# The participant's Query made by C functions: participant_query calls them without a
# Python-level call (make_query is _query's keyword-only form).
cpdef dict participant_fields(row)
cdef Query _query(address, city, zip_code, first_name, last_name, email, phones)

# The decision's steps on a participant's candidates, and the steps `decide` takes for everyone:
# C functions, without a Python-level call (with comparison.agreement_of and weights.probability:
# a first pass over the 20,000-row demo 523.4 → 512.9 M instructions, a warm one 352.6 → 343.1 M;
# callgrind, 2026-12-03).
cpdef bint conflicts(Comparison candidate, bint named_place, bint outside_zip)
cpdef bint _evidence_holds(Comparison candidate, bint named_place, bint outside_zip)
cdef _pending(object reason, Comparison best, object probability, object kept, object resolution,
              object gap, object prior)
cdef _accepted(Comparison best, object probability, object kept, object resolution, object gap,
               object prior)
cpdef object weight_gap(Comparison best, Comparison runner_up)
cpdef bint at_their_number(Comparison candidate)
cpdef bint _placed_by_nothing(Comparison candidate)
cpdef bint _in_their_place(Comparison candidate)
cpdef Query read_hyphen_number(ParcelIndex parcels, Query query)
cpdef tuple _model_and_prior(ParcelIndex parcels, object parameters)
cpdef tuple _place(ParcelIndex parcels, Query query)
cpdef Py_ssize_t _position(list order, Comparison candidate) except -1
cpdef list ranked(list scored, ParcelIndex parcels)
