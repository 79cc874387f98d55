"""Reads shaped for the mall's pages and API: each costs a fixed number of queries whatever its size."""
