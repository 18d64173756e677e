"""The pure domain core of saylau.

Everything here imports only the standard library: no files, no network, no printing.
Votes and seats are ``int``; quotas, quotients and remainders are ``fractions.Fraction``.
"""
