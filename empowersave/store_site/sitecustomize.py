"""Run by the local store server's interpreter at start-up, and by no other: empowersave.localstore
puts this directory first on the server's PYTHONPATH alone. The project never imports it.

The server (SecantusDB, pure Python) decodes every document a query reads into dicts before it
filters them, so a read of the county data makes hundreds of thousands of container objects, and
with Python's default thresholds (700, 10, 10) the cyclic collector runs and re-walks them over
and over. With these, measured on the EmailOctopus benchmark's first sync (129,483 source
documents, 300,000 parcels; 2026-12-02 16:42-16:48 UTC, load 1.1-1.3, alternated): 19.2 and
18.4 s, the server's CPU 17.4 and 15.8 s, against 20.9 and 20.6 s, 18.5 and 17.9 s. Garbage
without cycles is still freed at once; cycles are collected, only later.
"""

import gc

gc.set_threshold(100_000, 50, 100)
