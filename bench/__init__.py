"""Benchmarks of the document pipeline against a plain-asyncio baseline, as ratios measured in one run."""
