from matching.weights cimport Model
