# Model as an extension type when compiled (empowersave.compiled): the tables `compare` reads for
# every candidate are C struct fields for the functions that type their model (@cython.locals).

cdef class Model:
    cdef public object parameters, version, other_street_weight
    cdef public dict table, numbers, same_street_numbers, cities, same_zip_cities, zips, units
    cdef public dict person_weights, street_cache, _priors

# The probability of a weight: a C function, which the decision calls for every participant.
cpdef double probability(double weight)
