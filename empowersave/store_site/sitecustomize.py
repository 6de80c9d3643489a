"""Run by the local store server's interpreter at start-up, and by no other: empowersave.localstore
puts this directory first on the server's PYTHONPATH alone. The project never imports it.

The server (SecantusDB, pure Python) decodes every document a query reads into dicts before it
filters them, so a read of the county data makes hundreds of thousands of container objects, and
with Python's default thresholds (700, 10, 10) the cyclic collector runs and re-walks them over
and over. With these, the EmailOctopus benchmark's first sync (129,483 source documents,
300,000 parcels; 2026-12-02 16:42-17:02 UTC, load 1.0-1.4, alternated with the code before):
19.2, 18.4, 21.9, 27.9 and 19.2 s, the server's CPU 17.4, 15.8, 18.8, 25.6 and 16.3 s (medians
19.2 s and 17.4 s), against 20.9, 20.6, 21.2 and 29.7 s, 18.5, 17.9, 18.6 and 25.9 s (medians
21.05 s and 18.55 s): about 6 % of the server's CPU, on a machine whose runs of the same code
differ by a third. Garbage without cycles is still freed at once; cycles are collected, only
later.
"""

import gc

gc.set_threshold(100_000, 50, 100)
