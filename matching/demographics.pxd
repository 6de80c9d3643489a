# participant_phones as C functions when compiled (empowersave.compiled): matching.scoring
# cimports phones_of and calls it for each participant without a Python-level call.
cpdef list participant_phones(row)
cpdef list phones_of(phone, field)
