from matching.index cimport CountyIndex, DemographicIndex, ParcelIndex
from matching.weights cimport Model
