"""The applicant's journey: drafts, works, eligibility, submission."""
