"""Simulated lactarium hardware: physical models served over the real protocols."""
