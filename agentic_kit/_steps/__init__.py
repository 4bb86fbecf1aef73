"""What a step does when it runs: the guarded call, policies, cache index, observation."""
