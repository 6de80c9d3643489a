from matching.index cimport CountyIndex, DemographicIndex, ParcelIndex
