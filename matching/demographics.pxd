# participant_phones as a C function when compiled (empowersave.compiled): matching.scoring
# cimports it and calls it for each participant without a Python-level call.
cpdef list participant_phones(row)
