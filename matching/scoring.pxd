from matching.comparison cimport Comparison, where_they_said
from matching.index cimport CountyIndex, ParcelIndex
from matching.query cimport Query
