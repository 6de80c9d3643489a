from matching.index cimport CountyIndex, DemographicIndex, ParcelIndex
from matching.query cimport Query
