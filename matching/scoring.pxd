from matching.index cimport CountyIndex, ParcelIndex
