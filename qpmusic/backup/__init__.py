"""Backups: a consistent archive of one edition (its rows and its files), and checking one."""
