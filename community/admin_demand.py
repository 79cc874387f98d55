"""Operators: the demand view (community buzz against sales and stock)."""
