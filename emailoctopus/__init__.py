"""EmailOctopus API v2: a rate-limited client and the sync of campaign results into participants."""
