"""Accountability outputs derived from case histories: commitments, statistics, referrals."""
