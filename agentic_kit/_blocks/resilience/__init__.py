"""What keeps a dependency from taking the pipeline down: circuit breakers, rate and concurrency limits, and the one
mapping of transport errors to pipeline errors."""
