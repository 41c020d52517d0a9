"""Data protection: an applicant's copy of their data, account deletion, media retention."""
