from matching.weights cimport Model

# C functions (cpdef, positional) that street_entry calls for each parcel street a participant
# street meets the first time: no Python-level call for each.
cpdef bint _unrelated(object mine, object theirs)
cpdef bint _one_edit(str short_key, str their_short_key)
cpdef bint _far(str mine, str theirs)
cpdef tuple _related_level(object mine, object theirs)
cpdef _part_level(object mine, object theirs)
cpdef _directional_level(object mine, object theirs)
