"""Places: the network's cities and distances to them."""
