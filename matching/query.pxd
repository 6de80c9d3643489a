# Query as an extension type when compiled (empowersave.compiled): its fields are C struct fields,
# read by the functions that type a query (@cython.locals) without a lookup by name.
cdef class Query:
    cdef readonly object house_number
    cdef readonly object number
    cdef readonly object street
    cdef readonly object street_key
    cdef readonly object city
    cdef readonly tuple zips
    cdef readonly object unit
    cdef readonly object name
    cdef readonly object surname
    cdef readonly object email
    cdef readonly tuple phones
