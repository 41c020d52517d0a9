"""Media of a work: resumable uploads, validation, processing and streaming."""
