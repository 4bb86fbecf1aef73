"""Domain models split by pipeline: `common` (model requests and replies, usage, reviews), `documents`, `research`."""
