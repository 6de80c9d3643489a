from matching.comparison cimport Comparison
from matching.index cimport CountyIndex, ParcelIndex
from matching.query cimport Query
