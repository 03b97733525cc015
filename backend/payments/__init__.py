"""Payment deadlines, late-payment interest and the letter claiming it: pure domain code."""
