"""The jury: members by city, rounds, conflicts, assignments, reviews and their progress."""
