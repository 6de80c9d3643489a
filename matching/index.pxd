# The index classes as extension types when compiled (empowersave.compiled): their attributes are
# C struct fields, read by the matcher's functions that type their index (@cython.locals) without
# a lookup by name. A defaultdict is an `object`: a field typed `dict` would be indexed by
# PyDict_GetItem, which does not call __missing__.

cdef class ParcelIndex:
    cdef public list county, parcel_id, address, parcel_city, parcel_zip
    cdef public list house_number, number, street, unit, city, zip5
    cdef public object by_parcel
    cdef public dict by_zip_house, by_street_house, by_city_street, related_streets
    cdef public object zip_counties, city_counties, zip_cities, city_zips, zip_streets, city_streets
    cdef public set all_street_keys
    cdef public object zip_street_count, zip_count, _mean_street_share
    cdef public dict street_frequency_cache, corrected_street_cache, street_blocks_cache
    cdef public dict place_cache
    cdef public object weighing
    cdef public dict _shared


cdef class DemographicIndex:
    cdef public list records, people, parcel_row
    cdef public object by_parcel
    cdef public dict by_parcel_row, by_email, by_mobile, by_zip_name, by_city_name
    cdef public dict by_zip_surname, by_zip_word, by_name
    cdef public object zip_names


cdef class CountyIndex:
    cdef public ParcelIndex parcels
    cdef public DemographicIndex demographics


# The keys of a participant's contacts as C functions: matching.scoring
# cimports them and calls them for each participant without a Python-level call.
cpdef phone_key(raw)
cpdef email_key(raw)
