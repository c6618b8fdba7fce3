"""Local servers that implement the platforms' documented endpoints, for the tests."""
