"""Operators: brand partnerships and the undeclared-partnership review queue."""
